"""CONVERGE Metadata."""

__version__ = "0.1.0"

DESCRIPTION = (
    "A Node's FAIR catalogue of datasets, tools and training: capture, annotate, version, "
    "control access, search and publish for harvesters."
)

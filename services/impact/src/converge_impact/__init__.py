"""CONVERGE Impact."""

__version__ = "0.1.0"

DESCRIPTION = (
    "A Node's Impact Assessment Toolkit: indicators on ELIXIR's impact pathways, reported and "
    "derived values, COUNTER usage metrics."
)

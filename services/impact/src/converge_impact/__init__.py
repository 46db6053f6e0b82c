"""CONVERGE Impact."""

__version__ = "0.1.0"

DESCRIPTION = (
    "A Node's Impact Assessment Toolkit: indicators on ELIXIR's nine impact pathways, reported "
    "values with evidence and a validation workflow, values derived from the Node's metadata "
    "service and the registry, COUNTER usage metrics (Dataset Master Reports), series, pathway "
    "profiles, SVG charts and an annual report."
)

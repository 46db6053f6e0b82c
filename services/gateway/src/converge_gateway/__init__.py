"""CONVERGE Gateway."""

__version__ = "0.1.0"

DESCRIPTION = (
    "The federation's public API: federated search, records and harvesting across every ELIXIR "
    "Node."
)

"""CONVERGE Registry."""

__version__ = "0.1.0"

DESCRIPTION = (
    "Federation membership: ELIXIR Nodes, the services they run, their people, heartbeats and "
    "health probes."
)

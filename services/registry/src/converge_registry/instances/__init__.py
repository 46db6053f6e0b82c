"""Service instances: a Node's own registration, heartbeats, leaving, and public reads."""

"""Watching services: the state machine, the prober and availability."""

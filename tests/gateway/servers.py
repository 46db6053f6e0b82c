"""Real uvicorn servers for the gateway's tests (the shared harness's)."""

from converge_common.testing.servers import LiveServer, free_port

__all__ = ["LiveServer", "free_port"]

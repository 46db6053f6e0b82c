"""Where the demo federation lives: its folder, its Nodes, its ports and its services."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "AUDIENCE",
    "BASE_PORT",
    "FEDERATION_WAIT_S",
    "GATEWAY_PORT",
    "HOST",
    "IMPACT_PORT",
    "METADATA_PORT",
    "NODES",
    "NODE_NAMES",
    "OIDC_PORT",
    "PIDS",
    "REGISTRY_PORT",
    "ROOT",
    "STOP_WAIT_S",
    "VAR",
    "Service",
    "ports",
]

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("CONVERGE_DEMO_DIR") or ROOT / "var" / "demo").resolve()
PIDS = VAR / "pids.json"
HOST = "127.0.0.1"
NODES = ("de", "fi", "pt")
NODE_NAMES = {"de": "ELIXIR Germany", "fi": "ELIXIR Finland", "pt": "ELIXIR Portugal"}
AUDIENCE = "urn:converge:demo"
BASE_PORT = int(os.environ.get("CONVERGE_DEMO_PORT") or 8000)
GATEWAY_PORT, REGISTRY_PORT = BASE_PORT, BASE_PORT + 1
METADATA_PORT, IMPACT_PORT = BASE_PORT + 10, BASE_PORT + 20  # + the Node's index
OIDC_PORT = BASE_PORT + 900
STOP_WAIT_S = 10.0
# how long the banner waits for the gateway to list every Node (the registry probes first)
FEDERATION_WAIT_S = 60.0


def ports() -> dict[str, int]:
    """Every port the demo listens on, by the name of what listens."""
    found = {"oidc": OIDC_PORT, "registry": REGISTRY_PORT, "gateway": GATEWAY_PORT}
    for index, node in enumerate(NODES):
        found[f"metadata-{node}"] = METADATA_PORT + index
        found[f"impact-{node}"] = IMPACT_PORT + index
    return found


@dataclass
class Service:
    name: str
    module: str
    port: int
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

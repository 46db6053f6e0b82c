"""What the gateway knows about the federation's Nodes, and the registry answers it reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "NODE_ID_PATTERN",
    "ChangeFeed",
    "NodeEntry",
    "RegistryNode",
    "RegistryNodePage",
    "RegistryService",
    "RegistryServicePage",
]

NODE_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"


class _Lenient(BaseModel):
    # the registry may add fields; the gateway reads only what it needs
    model_config = ConfigDict(extra="ignore")


class RegistryNode(_Lenient):
    id: str = Field(pattern=NODE_ID_PATTERN)
    name: str
    country: str | None = None
    website: str | None = None
    status: str


class RegistryNodePage(_Lenient):
    items: list[RegistryNode]
    next_cursor: str | None = None


class RegistryService(_Lenient):
    node_id: str = Field(pattern=NODE_ID_PATTERN)
    kind: str
    base_url: str
    api_version: str = ""
    capabilities: dict[str, Any] = Field(default_factory=dict)
    state: str


class RegistryServicePage(_Lenient):
    items: list[RegistryService]
    next_cursor: str | None = None


class ChangeRead(_Lenient):
    seq: int
    type: str
    node_id: str
    kind: str | None = None
    at: datetime | None = None


class ChangeFeed(_Lenient):
    items: list[ChangeRead]
    last_seq: int


@dataclass(frozen=True)
class NodeEntry:
    """One Node as the gateway calls it."""

    id: str
    name: str
    country: str | None
    status: str
    metadata_url: str | None
    service_state: str | None

    def callable(self, states: Sequence[str]) -> bool:
        return (
            self.status == "accepted"
            and self.metadata_url is not None
            and self.service_state in states
        )

    def inactive_reason(self, states: Sequence[str]) -> str:
        if self.status != "accepted":
            return f"node {self.status}"
        if self.metadata_url is None:
            return "no metadata service registered"
        return f"metadata service {self.service_state}"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "country": self.country,
            "status": self.status,
            "metadata_url": self.metadata_url,
            "service_state": self.service_state,
        }

"""What the gateway knows about the federation's Nodes, and the registry answers it reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "NODE_ID_PATTERN",
    "ChangeFeed",
    "NodeEntry",
    "RegistryNode",
    "RegistryNodePage",
    "RegistryPerson",
    "RegistryPersonPage",
    "RegistryService",
    "RegistryServiceDetail",
    "RegistryServicePage",
    "RegistryTransition",
    "RegistryTransitionPage",
    "RegistryWindow",
    "ServiceKind",
]

NODE_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"

# the kinds of Node service the gateway calls (the registry's kinds)
ServiceKind = Literal["metadata", "impact"]


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


class RegistryPerson(_Lenient):
    # no e-mail: the gateway asks anonymously, and would not pass one on if it were there
    id: str = Field(min_length=1, max_length=100)
    node_id: str = Field(pattern=NODE_ID_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    orcid: str | None = Field(default=None, pattern=r"^[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]$")
    role: str = Field(min_length=1, max_length=100)
    expertise: list[Annotated[str, Field(pattern=r"^topic_[0-9]{4}$")]] = Field(
        default_factory=list, max_length=50
    )
    languages: list[Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]] = Field(
        default_factory=list, max_length=30
    )


class RegistryPersonPage(_Lenient):
    items: list[RegistryPerson] = Field(max_length=1000)
    next_cursor: str | None = Field(default=None, max_length=2000)


class RegistryWindow(_Lenient):
    availability: float | None = Field(default=None, ge=0, le=1)
    observed_s: float = Field(default=0, ge=0)


class RegistryServiceDetail(RegistryService):
    availability: dict[str, RegistryWindow] = Field(default_factory=dict, max_length=10)


class RegistryTransition(_Lenient):
    from_state: str | None = Field(default=None, max_length=40)
    to_state: str = Field(max_length=40)
    reason: str = Field(default="", max_length=2000)
    at: datetime


class RegistryTransitionPage(_Lenient):
    items: list[RegistryTransition] = Field(max_length=1000)
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
    """One Node as the gateway calls it: its metadata service and, when it runs one, its
    impact service (each with the registry's view of its state)."""

    id: str
    name: str
    country: str | None
    status: str
    metadata_url: str | None
    service_state: str | None
    impact_url: str | None = None
    impact_state: str | None = None

    def url(self, service: ServiceKind = "metadata") -> str | None:
        return self.metadata_url if service == "metadata" else self.impact_url

    def state(self, service: ServiceKind = "metadata") -> str | None:
        return self.service_state if service == "metadata" else self.impact_state

    def callable(self, states: Sequence[str], service: ServiceKind = "metadata") -> bool:
        return (
            self.status == "accepted"
            and self.url(service) is not None
            and self.state(service) in states
        )

    def inactive_reason(self, states: Sequence[str], service: ServiceKind = "metadata") -> str:
        if self.status != "accepted":
            return f"node {self.status}"
        if self.url(service) is None:
            return f"no {service} service registered"
        return f"{service} service {self.state(service)}"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "country": self.country,
            "status": self.status,
            "metadata_url": self.metadata_url,
            "service_state": self.service_state,
            "impact_url": self.impact_url,
            "impact_state": self.impact_state,
        }

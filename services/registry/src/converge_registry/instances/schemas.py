"""Shapes of service instances."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Capabilities",
    "ProbeRead",
    "ServiceDetail",
    "ServiceKind",
    "ServiceRead",
    "ServiceRegistration",
    "ServiceState",
    "TransitionRead",
    "WindowAvailability",
]

ServiceKind = Literal["metadata", "impact"]
ServiceState = Literal["unknown", "active", "degraded", "unreachable", "retired"]


class Capabilities(BaseModel):
    model_config = ConfigDict(extra="forbid")

    formats: list[str] = Field(default_factory=list, max_length=50, examples=[["dcat-ap"]])
    features: list[str] = Field(default_factory=list, max_length=50, examples=[["oai-pmh"]])


class ServiceRegistration(BaseModel):
    """What a Node's service says about itself when it registers."""

    model_config = ConfigDict(extra="forbid")

    base_url: str = Field(
        min_length=8, max_length=2000, description="The base URL others should call"
    )
    api_version: str = Field(pattern=r"^[0-9A-Za-z.+-]{1,32}$", examples=["1.0.0"])
    capabilities: Capabilities = Field(default_factory=Capabilities)


class ProbeRead(BaseModel):
    at: datetime | None
    result: str | None = Field(description="ok, slow, unavailable (503) or failed")
    status: int | None
    latency_ms: float | None
    error: str | None


class ServiceRead(BaseModel):
    node_id: str
    kind: ServiceKind
    base_url: str
    api_version: str
    capabilities: Capabilities
    state: ServiceState
    state_since: datetime
    last_seen_at: datetime | None
    last_heartbeat_at: datetime | None
    last_probe: ProbeRead
    registered_at: datetime
    updated_at: datetime


class WindowAvailability(BaseModel):
    availability: float | None = Field(
        description="Share of observed time active or degraded; null when nothing was observed"
    )
    observed_s: float
    seconds: dict[str, float] = Field(description="Seconds spent in each state")


class ServiceDetail(ServiceRead):
    availability: dict[str, WindowAvailability] = Field(description="Windows 24h, 7d, 30d")


class TransitionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    from_state: ServiceState | None
    to_state: ServiceState
    reason: str
    at: datetime

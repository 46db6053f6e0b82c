"""The federation's state as the gateway reports it: Nodes, services, availability, changes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

__all__ = ["FederationStatus", "NodeStatusView", "ServiceStatusView", "StateChange"]


class StateChange(BaseModel):
    from_state: str | None
    to_state: str
    reason: str
    at: datetime


class ServiceStatusView(BaseModel):
    kind: str = Field(description="metadata or impact")
    state: str = Field(description="The registry's view: active, degraded, unreachable, ...")
    availability: dict[str, float | None] = Field(
        description="Share of observed time up, per window (24h, 7d, 30d); null: not observed"
    )
    recent: list[StateChange] = Field(description="The latest state changes, newest first")


class NodeStatusView(BaseModel):
    id: str
    name: str
    country: str | None
    status: str = Field(description="Membership status in the registry")
    services: list[ServiceStatusView]
    error: str | None = Field(
        default=None, description="Why the registry's details of this Node could not be read"
    )


class FederationStatus(BaseModel):
    nodes: list[NodeStatusView]
    checked_at: datetime = Field(description="When these figures were read from the registry")
    registry_error: str | None = Field(
        description="Why the registry could not be read (the Nodes are then as last known)"
    )

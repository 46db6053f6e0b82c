"""Shapes of the gateway's view of the federation."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

__all__ = ["DirectoryRead", "NodeView"]


class NodeView(BaseModel):
    id: str
    name: str
    country: str | None
    status: str = Field(description="The Node's membership status in the registry")
    metadata_url: str | None
    service_state: str | None = Field(description="The registry's view of its metadata service")
    searched: bool = Field(description="Whether the gateway calls it now")
    circuit: str = Field(description="closed, open or half_open")
    impact_url: str | None = Field(default=None, description="Its impact service, if any")
    impact_state: str | None = Field(
        default=None, description="The registry's view of its impact service"
    )
    impact_called: bool = Field(
        default=False, description="Whether federated impact calls its impact service now"
    )
    impact_circuit: str = Field(
        default="closed", description="The impact service's breaker: closed, open or half_open"
    )


class DirectoryRead(BaseModel):
    nodes: list[NodeView]
    loaded_at: datetime | None = Field(description="When the registry last answered")
    registry_error: str | None = Field(description="Why the last registry call failed, if it did")

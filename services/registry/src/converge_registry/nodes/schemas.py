"""Shapes of Nodes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

__all__ = ["NodeAdmin", "NodeCreate", "NodeRead", "NodeStatus", "NodeUpdate"]

NodeStatus = Literal["pending", "accepted", "suspended"]
NODE_ID = r"^[a-z0-9][a-z0-9-]{0,62}$"
COUNTRY = r"^[A-Z]{2}$"


class NodeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=NODE_ID, examples=["de"])
    name: str = Field(min_length=1, max_length=200, examples=["ELIXIR Germany"])
    country: str = Field(pattern=COUNTRY, description="ISO 3166-1 alpha-2", examples=["DE"])
    website: AnyHttpUrl | None = None
    contact: str | None = Field(default=None, max_length=320)
    status: NodeStatus = Field(default="accepted", description="Admitting a Node accepts it")
    client_ids: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="OIDC clients the Node uses (recorded; the role node:<id>:admin grants)",
    )
    entitlements: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="Entitlements the Node uses (recorded; the role node:<id>:admin grants)",
    )


class NodeUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    country: str | None = Field(default=None, pattern=COUNTRY)
    website: AnyHttpUrl | None = None
    contact: str | None = Field(default=None, max_length=320)
    status: NodeStatus | None = None
    client_ids: list[str] | None = Field(default=None, max_length=50)
    entitlements: list[str] | None = Field(default=None, max_length=50)


class NodeRead(BaseModel):
    """What everybody may read about a Node."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    country: str
    website: str | None
    contact: str | None
    status: NodeStatus
    created_at: datetime
    updated_at: datetime


class NodeAdmin(NodeRead):
    """A Node with who acts for it (federation admins and the Node itself)."""

    client_ids: list[str]
    entitlements: list[str]

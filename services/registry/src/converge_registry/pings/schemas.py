"""Shapes of FAIR Data Point pings."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["PingCreate", "PingRead"]


class PingCreate(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    client_url: str = Field(alias="clientUrl", min_length=8, max_length=2000)


class PingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    client_url: str
    caller: str
    authenticated: bool
    status: str
    pings: int
    first_seen_at: datetime
    last_seen_at: datetime

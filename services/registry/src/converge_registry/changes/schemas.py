"""Shapes of the change feed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ChangeFeed", "ChangeRead"]


class ChangeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int = Field(description="Position in the feed; pass the last one seen as `since`")
    type: str = Field(
        description="node.admitted, node.updated, service.registered, service.updated, "
        "service.state_changed, service.retired"
    )
    node_id: str
    kind: str | None
    data: dict[str, Any]
    at: datetime


class ChangeFeed(BaseModel):
    items: list[ChangeRead]
    last_seq: int = Field(description="The `since` of the next call")

"""Shapes of webhook subscriptions."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["WebhookCreate", "WebhookCreated", "WebhookRead"]


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=8, max_length=2000)
    description: str | None = Field(default=None, max_length=300)
    secret: str | None = Field(
        default=None,
        min_length=32,
        max_length=200,
        description="The HMAC key; generated when absent (and then shown only once)",
    )
    since: int | None = Field(
        default=None, ge=0, description="Deliver changes after this seq; default: from now on"
    )


class WebhookRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    url: str
    description: str | None
    active: bool
    delivered_seq: int
    failures: int
    last_error: str | None
    last_delivery_at: datetime | None
    created_at: datetime


class WebhookCreated(WebhookRead):
    secret: str

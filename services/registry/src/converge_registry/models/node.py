"""A Node: a member of the federation and who may act for it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from converge_common.db import UTCDateTime, utcnow
from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from converge_registry.models.base import Base


class Node(Base):
    __tablename__ = "nodes"

    id: Mapped[str] = mapped_column(String(63), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    website: Mapped[str | None] = mapped_column(String(500))
    contact: Mapped[str | None] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(16), index=True)
    # OIDC client ids and entitlement values that act for the Node
    client_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    entitlements: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

"""The change feed: one row per join, leave, update or state change, in sequence order."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from converge_common.db import UTCDateTime, utcnow
from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from converge_registry.models.base import Base


class Change(Base):
    __tablename__ = "changes"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    type: Mapped[str] = mapped_column(String(40))
    node_id: Mapped[str] = mapped_column(String(63))
    kind: Mapped[str | None] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

"""``value_changes``: the history of every reported value (who, when, old and new)."""

from __future__ import annotations

from datetime import datetime

from converge_common.db import UTCDateTime, utcnow
from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from converge_impact.models.base import Base

__all__ = ["ValueChange"]


class ValueChange(Base):
    __tablename__ = "value_changes"
    __table_args__ = (Index("ix_value_changes_value_at", "value_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    value_id: Mapped[int] = mapped_column(ForeignKey("reported_values.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    old_value: Mapped[float | None] = mapped_column(Float)
    new_value: Mapped[float | None] = mapped_column(Float)
    old_status: Mapped[str | None] = mapped_column(String(16))
    new_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)

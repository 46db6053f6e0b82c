"""``reported_values``: a figure the Node reports for one indicator and period."""

from __future__ import annotations

from datetime import datetime

from converge_common.db import UTCDateTime, utcnow
from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from converge_impact.models.base import Base

__all__ = ["ReportedValue"]


class ReportedValue(Base):
    __tablename__ = "reported_values"
    __table_args__ = (
        UniqueConstraint("indicator_id", "period", name="uq_reported_values_indicator_period"),
        Index("ix_reported_values_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))
    granularity: Mapped[str] = mapped_column(String(8))
    value: Mapped[float] = mapped_column(Float)
    evidence_url: Mapped[str | None] = mapped_column(String(2000))
    evidence_note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    # bumped on every change: the ETag
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    validated_by: Mapped[str | None] = mapped_column(String(255))
    validated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

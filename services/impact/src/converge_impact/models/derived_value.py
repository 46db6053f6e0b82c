"""``derived_values``: figures computed from the Node's services, never typed in."""

from __future__ import annotations

from datetime import datetime

from converge_common.db import UTCDateTime
from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from converge_impact.models.base import Base

__all__ = ["DerivedValue"]


class DerivedValue(Base):
    __tablename__ = "derived_values"
    __table_args__ = (
        UniqueConstraint("indicator_id", "period", name="uq_derived_values_indicator_period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))
    granularity: Mapped[str] = mapped_column(String(8))
    value: Mapped[float] = mapped_column(Float)
    # where it came from, e.g. "metadata:/api/v1/stats" or "registry:/api/v1/nodes/de/..."
    source: Mapped[str] = mapped_column(String(300))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)

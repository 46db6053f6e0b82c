"""``usage_monthly``: COUNTER counts per month, dataset and access method (the DSR's rows)."""

from __future__ import annotations

from sqlalchemy import Integer, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from converge_impact.models.base import Base

__all__ = ["UsageMonthly"]


class UsageMonthly(Base):
    __tablename__ = "usage_monthly"

    month: Mapped[str] = mapped_column(String(7))
    dataset_id: Mapped[str] = mapped_column(String(200))
    access_method: Mapped[str] = mapped_column(String(8))
    total_investigations: Mapped[int] = mapped_column(Integer)
    unique_investigations: Mapped[int] = mapped_column(Integer)
    total_requests: Mapped[int] = mapped_column(Integer)
    unique_requests: Mapped[int] = mapped_column(Integer)

    __table_args__ = (PrimaryKeyConstraint("month", "dataset_id", "access_method"),)

"""``usage_events``: usage as COUNTER processing needs it, from the feed or from log files."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from converge_impact.models.base import Base

__all__ = ["UsageEvent"]


class UsageEvent(Base):
    """One investigation (``kind`` 0) or request (1) of a dataset by a regular (``access`` 0)
    or machine (1) client; robots are never stored. ``user_key`` is the COUNTER user: a hash
    of the signed-in user, the user or session cookie, or else the client's address and user
    agent (prefixed ``u:``, ``c:``, ``s:``, ``i:``); no raw address is kept."""

    __tablename__ = "usage_events"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    occurred_s: Mapped[int] = mapped_column(BigInteger, doc="Unix time, seconds")
    month: Mapped[str] = mapped_column(String(7))
    dataset_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[int] = mapped_column(SmallInteger)
    access: Mapped[int] = mapped_column(SmallInteger)
    resource: Mapped[str] = mapped_column(String(64))
    user_key: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(16))
    source_ref: Mapped[str | None] = mapped_column(String(40))

    __table_args__ = (
        Index("ix_usage_events_month", "month"),
        UniqueConstraint("source", "source_ref", name="uq_usage_events_source_ref"),
    )

"""``usage_events``: what readers did with records, for COUNTER processing by the impact service."""

from __future__ import annotations

from datetime import datetime

from converge_common.db import UTCDateTime
from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from converge_metadata.models.base import Base

__all__ = ["UsageEvent"]


class UsageEvent(Base):
    """One investigation (a record read in any format) or request (a followed download link).

    No raw IP address is stored: ``client_hash`` is an HMAC of the client's address and user
    agent under that day's salt (``usage_salts``), ``user_hash`` and ``session_hash`` the same
    of the signed-in subject and of the session cookie. ``id`` orders the feed."""

    __tablename__ = "usage_events"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    record_id: Mapped[str] = mapped_column(String(100))
    record_version: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    distribution: Mapped[int | None] = mapped_column(Integer)
    client_hash: Mapped[str] = mapped_column(String(32))
    user_hash: Mapped[str | None] = mapped_column(String(32))
    session_hash: Mapped[str | None] = mapped_column(String(32))
    user_agent: Mapped[str] = mapped_column(String(512))

    __table_args__ = (Index("ix_usage_events_recorded_at", "recorded_at"),)

"""``usage_salts``: the random salt of each UTC day under which usage events hash clients."""

from __future__ import annotations

from datetime import date, datetime

from converge_common.db import UTCDateTime
from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from converge_metadata.models.base import Base

__all__ = ["UsageSalt"]


class UsageSalt(Base):
    """A day's salt lives until the day after; once deleted, nobody (the operator included)
    can link that day's hashes back to addresses by trying every IPv4 address."""

    __tablename__ = "usage_salts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

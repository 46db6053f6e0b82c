"""A FAIR Data Point style ping: a URL announcing itself, held for an admin to judge."""

from __future__ import annotations

from datetime import datetime

from converge_common.db import UTCDateTime, utcnow
from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from converge_registry.models.base import Base


class FdpPing(Base):
    __tablename__ = "fdp_pings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_url: Mapped[str] = mapped_column(String(2000), unique=True)
    caller: Mapped[str] = mapped_column(String(200))
    authenticated: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    pings: Mapped[int] = mapped_column(Integer, default=1)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

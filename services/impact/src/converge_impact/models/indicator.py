"""``indicators``: the federation's shared catalogue and this Node's own indicators."""

from __future__ import annotations

from datetime import datetime

from converge_common.db import UTCDateTime, utcnow
from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from converge_impact.models.base import Base

__all__ = ["Indicator"]


class Indicator(Base):
    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    pathway: Mapped[str] = mapped_column(String(40), index=True)
    type: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(40))
    combine_nodes: Mapped[str] = mapped_column(String(8))
    combine_periods: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(8))
    derivation: Mapped[str | None] = mapped_column(Text)
    # federation: from the shipped starter catalogue; node: created by this Node's admins
    scope: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

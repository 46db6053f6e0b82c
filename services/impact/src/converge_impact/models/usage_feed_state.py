"""``usage_feed_state``: how far the pull of the metadata service's usage feed has come."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from converge_impact.models.base import Base

__all__ = ["UsageFeedState"]


class UsageFeedState(Base):
    __tablename__ = "usage_feed_state"

    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    cursor: Mapped[str] = mapped_column(String(40))
    pulled_s: Mapped[int] = mapped_column(BigInteger, doc="Unix time of the last pull")

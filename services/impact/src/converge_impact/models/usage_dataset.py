"""``usage_datasets``: what a Dataset Master Report says about each dataset."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from converge_impact.models.base import Base

__all__ = ["UsageDataset"]


class UsageDataset(Base):
    """``id`` is the record's local id on this Node (reported as ``{node}:{id}``, the
    proprietary id), or the identifier a log file gave when no record route matched."""

    __tablename__ = "usage_datasets"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    doi: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(1000))
    publisher: Mapped[str | None] = mapped_column(String(500))
    publication_year: Mapped[int | None] = mapped_column(Integer)

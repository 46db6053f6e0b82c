"""``record_versions``: every change to a record, with who and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from converge_common.db import UTCDateTime
from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from converge_metadata.models.base import Base

__all__ = ["RecordVersion"]


class RecordVersion(Base):
    """A snapshot of a record after one change; ``document`` is null for a deletion.
    ``actor`` is the writer's token subject (or client id); ``actor_name`` what people read."""

    __tablename__ = "record_versions"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_pk: Mapped[int] = mapped_column(ForeignKey("records.pk", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(255))
    # the person's name as their sign-in gave it when they wrote (null: a service, or older)
    actor_name: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    document: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (UniqueConstraint("record_pk", "version"),)

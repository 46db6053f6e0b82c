"""``records``: the current state of every record, live or tombstoned."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from converge_common.db import UTCDateTime
from sqlalchemy import JSON, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from converge_metadata.models.base import Base

__all__ = ["Record"]


class Record(Base):
    """One record. ``document`` holds the validated content (``RecordBase`` as JSON); the
    other columns are what lists, filters, visibility and harvesting need to query."""

    __tablename__ = "records"

    # integer key: the full-text index (FTS5 rowid) and the facet table refer to it
    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    local_id: Mapped[str] = mapped_column(String(100), unique=True)
    type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    access_level: Mapped[str] = mapped_column(String(16))
    embargo_until: Mapped[date | None] = mapped_column(Date)
    sort_title: Mapped[str] = mapped_column(String(200))
    license: Mapped[str | None] = mapped_column(String(100))
    issued_year: Mapped[int | None] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    modified_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # when harvesters should see the latest change: the later of modified_at and the end of
    # an embargo, so a record whose embargo lapses appears in incremental harvests then
    datestamp: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(255))
    modified_by: Mapped[str] = mapped_column(String(255))

    __table_args__ = (
        Index("ix_records_datestamp_pk", "datestamp", "pk"),
        Index("ix_records_modified_at_pk", "modified_at", "pk"),
        Index("ix_records_sort_title_pk", "sort_title", "pk"),
        Index("ix_records_status_deleted_at", "status", "deleted_at"),
    )

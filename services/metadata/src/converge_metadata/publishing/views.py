"""The visibility rules of one stored row for harvesters (and the row as a record, which is
the records domain's own view)."""

from __future__ import annotations

from datetime import datetime

from converge_metadata.models import Record
from converge_metadata.records.views import record_read

__all__ = ["effective_access", "is_tombstone", "is_visible", "record_read"]


def is_visible(row: Record, *, now: datetime) -> bool:
    """Anyone may read it now: published, live, and any embargo over."""
    if row.status != "published" or row.deleted_at is not None:
        return False
    if row.access_level == "embargoed":
        return row.embargo_until is not None and row.embargo_until <= now.date()
    return True


def is_tombstone(row: Record) -> bool:
    """Once published, now deleted or withdrawn: harvesters must learn it is gone."""
    return row.published_at is not None and (
        row.deleted_at is not None or row.status != "published"
    )


def effective_access(row: Record) -> str:
    """``public`` or ``controlled``: a visible embargoed record's embargo has ended."""
    return "controlled" if row.access_level == "controlled" else "public"

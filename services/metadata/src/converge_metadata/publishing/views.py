"""Stored rows as the records that serialisers read, and the visibility rules of one row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from converge_metadata.models import Record
from converge_metadata.records.schemas import RecordRead

__all__ = ["effective_access", "is_tombstone", "is_visible", "record_read"]


def record_read(row: Record, *, node: str) -> RecordRead:
    """The row's stored document with its system fields, as the API returns it."""
    data: dict[str, Any] = dict(row.document)
    data.update(
        id=row.local_id,
        node=node,
        global_id=f"{node}:{row.local_id}",
        version=row.version,
        created_at=row.created_at,
        modified_at=row.modified_at,
        published_at=row.published_at,
        deleted_at=row.deleted_at,
        created_by=row.created_by,
        modified_by=row.modified_by,
    )
    return RecordRead.model_validate(data)


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

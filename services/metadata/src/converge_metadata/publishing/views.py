"""The visibility rules of one stored row for harvesters (the rules themselves are in
``converge_metadata.access``), and the row as a record, which is the records domain's own view."""

from __future__ import annotations

from datetime import UTC, datetime

from converge_metadata import access
from converge_metadata.models import Record
from converge_metadata.publishing.context import PublicationContext
from converge_metadata.records.schemas import RecordRead
from converge_metadata.records.views import record_read

__all__ = ["anonymous_read", "effective_access", "is_tombstone", "is_visible"]


def anonymous_read(row: Record, context: PublicationContext) -> RecordRead:
    """The row as every harvesting and crawling surface shows it: to anyone, so a controlled
    record's way to its data is withheld (``access.shown_document``)."""
    return record_read(
        row,
        context.node_id,
        viewer=access.Viewer.anonymous(datetime.now(UTC).date()),
        request_access_url=context.record_url(row.local_id),
    )


def is_visible(row: Record, *, now: datetime) -> bool:
    """Anyone may read it now: published, live, and any embargo over."""
    return access.is_public(row, now.date())


def is_tombstone(row: Record) -> bool:
    """Once published, now deleted or withdrawn: harvesters must learn it is gone."""
    return access.is_tombstone(row, published_at=row.published_at)


def effective_access(row: Record) -> str:
    """The OAI-PMH access set of a harvested row: ``public`` or ``controlled``."""
    return access.harvest_access(row.access_level)

"""The records a vocabulary reload has to look at again."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from converge_metadata.models import Record, RecordFacet

__all__ = ["records_with_organisms"]


async def records_with_organisms(
    session: AsyncSession, *, after_pk: int, limit: int
) -> list[tuple[int, str, dict[str, Any]]]:
    """(pk, local id, stored document) of live records annotated with any organism, by pk."""
    annotated = select(RecordFacet.record_pk).where(RecordFacet.dimension == "organism")
    rows = await session.execute(
        select(Record.pk, Record.local_id, Record.document)
        .where(Record.pk > after_pk, Record.deleted_at.is_(None), Record.pk.in_(annotated))
        .order_by(Record.pk)
        .limit(limit)
    )
    return [(pk, local_id, document) for pk, local_id, document in rows.all()]

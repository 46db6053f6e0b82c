"""Bringing stored records up to date with a newly loaded vocabulary."""

from __future__ import annotations

from converge_common.db import Database

from converge_metadata.records.schemas import RecordCreate
from converge_metadata.records.upsert import ImportReport, upsert_records
from converge_metadata.vocab.loader import Vocabularies
from converge_metadata.vocab.repository import records_with_organisms

__all__ = ["refresh_organisms"]

_BATCH = 500


async def refresh_organisms(db: Database, vocab: Vocabularies, *, actor: str) -> ImportReport:
    """Normalise every live record annotated with an organism again, so that its organism
    labels (and the taxon names search finds it by) come from ``vocab``. A record whose
    labels change becomes a new version by ``actor``; the others stay as they are."""
    total = ImportReport()
    after, seen = 0, 0
    while True:
        async with db.sessionmaker() as session, session.begin():
            rows = await records_with_organisms(session, after_pk=after, limit=_BATCH)
            if not rows:
                return total
            records = [RecordCreate.model_validate({**doc, "id": lid}) for _, lid, doc in rows]
            report = await upsert_records(session, records, actor=actor, vocab=vocab)
        total.merge(report, offset=seen)
        after, seen = rows[-1][0], seen + len(rows)

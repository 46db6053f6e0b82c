"""Batch upsert: how importers (JSON lines, bio.tools, Bioschemas, DataCite) store records."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from converge_common.errors import FieldError
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from converge_metadata.records import repository
from converge_metadata.records.planning import (
    Planned,
    Prepared,
    derive_local_id,
    plan_prepared,
    prepare,
)
from converge_metadata.records.schemas import RecordCreate
from converge_metadata.records.validation import normalise_record
from converge_metadata.records.writes import store_planned
from converge_metadata.vocab import Vocabularies

__all__ = ["ImportFailure", "ImportReport", "prepare_batch", "store_prepared", "upsert_records"]


class ImportFailure(BaseModel):
    index: int = Field(description="Position of the record in the batch (0-based)")
    id: str | None
    errors: list[dict[str, str]] = Field(description="{pointer, rule, detail} per failure")


class ImportReport(BaseModel):
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[ImportFailure] = Field(default_factory=list)

    @property
    def stored(self) -> int:
        return self.created + self.updated

    def merge(self, other: ImportReport, *, offset: int = 0) -> None:
        """Add another batch's report, shifting its failure indexes by ``offset``."""
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.failed += [f.model_copy(update={"index": f.index + offset}) for f in other.failed]


def _fail(report: ImportReport, index: int, local_id: str | None, errors: list[FieldError]) -> None:
    report.failed.append(ImportFailure(index=index, id=local_id, errors=[dict(e) for e in errors]))


async def upsert_records(
    session: AsyncSession,
    records: Sequence[RecordCreate],
    *,
    actor: str,
    vocab: Vocabularies,
) -> ImportReport:
    """Create or update a batch of records by local id, idempotently, in the caller's transaction.

    Contract for importers:

    - ``records`` are parsed :class:`RecordCreate` objects (schema syntax already checked). Here
      each is checked against the vocabularies (EDAM, NCBI Taxonomy, SPDX, DUO) and the rules of
      its type, and normalised (canonical term IRIs and labels). The objects are modified.
    - The key is ``record.id``. Without one, a stable id is derived from the record's bio.tools
      id, DOI, accession, handle or ARK (``derive_local_id``); a record with none of these fails
      with rule ``required`` at ``/id``.
    - A record whose stored content is identical is ``unchanged`` (no new version); otherwise it
      is created (version 1) or becomes the next version (action ``import``), reviving a tombstone.
      A published record cannot go back to draft (rule ``unpublish``).
    - Records that fail are listed in ``failed`` with their batch index and field errors; the
      others are still stored. A repeated id within the batch fails (rule ``duplicate_id``).
    - Nothing is committed here: the caller's unit of work commits (the request's session, or
      the command line's). Batches of a few thousand records keep memory flat; statements are
      bulk inserts, so one batch costs a handful of round trips.

    It is :func:`prepare_batch` (no database: a worker process can run it) followed by
    :func:`store_prepared`.
    """
    prepared, report = prepare_batch(records, vocab)
    return await store_prepared(session, prepared, report, actor=actor)


def prepare_batch(
    records: Sequence[RecordCreate], vocab: Vocabularies
) -> tuple[list[tuple[int, Prepared]], ImportReport]:
    """Check, normalise and prepare each record; failures go into the returned report (with
    their batch index), the others come back with their index."""
    report = ImportReport()
    prepared: list[tuple[int, Prepared]] = []
    seen: set[str] = set()
    for index, incoming in enumerate(records):
        local_id = incoming.id or derive_local_id(incoming)
        if local_id is None:
            _fail(report, index, None, [FieldError("/id", "required", "no id and no identifier")])
            continue
        if local_id in seen:
            _fail(report, index, local_id, [FieldError("/id", "duplicate_id", "repeated in batch")])
            continue
        errors = normalise_record(incoming, vocab)
        if errors:
            _fail(report, index, local_id, errors)
            continue
        seen.add(local_id)
        prepared.append((index, prepare(incoming, local_id=local_id, vocab=vocab)))
    return prepared, report


async def store_prepared(
    session: AsyncSession,
    prepared: Sequence[tuple[int, Prepared]],
    report: ImportReport,
    *,
    actor: str,
    actor_name: str | None = None,
) -> ImportReport:
    """Store prepared records (see :func:`upsert_records`), counting into ``report``."""
    existing = await repository.get_records(session, [p.local_id for _, p in prepared])
    now = datetime.now(UTC)
    planned: list[Planned] = []
    for index, item in prepared:
        current = existing.get(item.local_id)
        if current is not None and current.deleted_at is None:
            if item.content_hash == current.content_hash:
                report.unchanged += 1
                continue
            if current.published_at is not None and item.status == "draft":
                message = "published records stay published"
                _fail(report, index, item.local_id, [FieldError("/status", "unpublish", message)])
                continue
        action = "create" if current is None else "import"
        planned.append(
            plan_prepared(
                item,
                existing=current,
                actor=actor,
                now=now,
                action=action,
                actor_name=actor_name,
            )
        )
        if current is None:
            report.created += 1
        else:
            report.updated += 1
    await store_planned(session, planned, existing=existing)
    return report

"""A record's history as the Node's stewards read it: every version, and what changed
between any two (``records.diff``). Restoring is ``service.restore_version``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from converge_metadata.models import Record, RecordVersion
from converge_metadata.records import repository
from converge_metadata.records.diff import Change, diff_documents
from converge_metadata.records.exceptions import RecordNotFound, VersionNotFound

__all__ = ["Comparison", "History", "compare", "history"]


@dataclass(frozen=True)
class History:
    record: Record
    versions: list[RecordVersion]  # newest first


@dataclass(frozen=True)
class Comparison:
    record: Record
    older: RecordVersion
    newer: RecordVersion
    changes: list[Change]


async def _record(session: AsyncSession, local_id: str) -> Record:
    record = await repository.get_record(session, local_id)
    if record is None:
        raise RecordNotFound(f"No record {local_id!r}")
    return record


async def history(session: AsyncSession, local_id: str) -> History:
    """Every version of a record (deleted ones too: a tombstone can be restored)."""
    record = await _record(session, local_id)
    return History(record, await repository.list_versions(session, record.pk))


async def compare(session: AsyncSession, local_id: str, first: int, second: int) -> Comparison:
    """What changed from the older of two versions to the newer (in either order)."""
    record = await _record(session, local_id)
    found: list[RecordVersion] = []
    for number in sorted({first, second}):
        version = await repository.get_version(session, record.pk, number)
        if version is None:
            raise VersionNotFound(f"Record {local_id!r} has no version {number}")
        found.append(version)
    older, newer = found[0], found[-1]
    return Comparison(record, older, newer, diff_documents(older.document, newer.document))

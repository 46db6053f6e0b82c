"""Store planned record rows in bulk: records, versions, facet values and search text."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from converge_metadata.models import Record
from converge_metadata.records import repository
from converge_metadata.records.exceptions import EtagMismatch
from converge_metadata.records.planning import Planned

__all__ = ["store_planned"]


async def store_planned(
    session: AsyncSession,
    planned: Sequence[Planned],
    *,
    existing: dict[str, Record],
    cas: bool = False,
) -> None:
    """Write every planned record in a few statements. With ``cas`` an update only applies
    when the stored version is still the one it was planned from (no lost update)."""
    new = [p for p in planned if p.pk is None]
    changed = [p for p in planned if p.pk is not None]
    pks = await repository.insert_records(session, [p.values for p in new])
    for p in new:
        p.pk = pks[p.local_id]
    if cas:
        for p in changed:
            assert p.pk is not None
            before = existing[p.local_id].version
            if not await repository.update_record_if_version(session, p.pk, before, p.values):
                raise EtagMismatch("The record changed while it was being written")
    else:
        await repository.update_records(session, [{"pk": p.pk, **p.values} for p in changed])
    await repository.delete_derived(session, [p.pk for p in changed if p.pk is not None])
    await repository.insert_versions(
        session, [{"record_pk": p.pk, **p.version_row} for p in planned]
    )
    await repository.insert_facets(
        session,
        [
            (p.pk, dimension, value)
            for p in planned
            if p.pk is not None
            for dimension, value in p.facets
        ],
    )
    await repository.insert_search_rows(
        session, [(p.pk, p.search) for p in planned if p.pk is not None]
    )

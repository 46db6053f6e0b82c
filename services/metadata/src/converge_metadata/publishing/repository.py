"""Read-only queries of publication: what harvesters, crawlers and the FAIR summary may see.

Visibility is computed at request time by the rules of ``converge_metadata.access``: published,
not deleted, and not under an embargo that still runs (``embargo_until`` is a UTC date; the
embargo ends at its midnight). A record that
was once published and is now deleted or withdrawn to draft is a *tombstone*: harvesters get
a deleted header for it (``deletedRecord=persistent``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, literal, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from converge_metadata import access
from converge_metadata.models import Record

__all__ = [
    "HarvestFilter",
    "count_harvest",
    "count_visible",
    "earliest_datestamp",
    "get_record",
    "harvest_page",
    "latest_datestamp",
    "live_page",
    "visible_clause",
    "visible_page",
    "visible_page_at",
]


_T = TypeVar("_T", bound=Any)


_RECORDS: Any = Record.__table__


def visible_clause(today: date) -> ColumnElement[bool]:
    """Live records anyone may read (the rule is ``access.public_clause``)."""
    return access.public_clause(_RECORDS.c, today)


def _tombstone_clause() -> ColumnElement[bool]:
    return access.tombstone_clause(_RECORDS.c)


@dataclass(frozen=True)
class HarvestFilter:
    """An OAI-PMH selection: datestamps inclusive at both ends, record types, access levels."""

    now: datetime
    since: datetime | None = None
    until: datetime | None = None
    types: Sequence[str] = ()
    access: Sequence[str] = ()

    def apply(self, stmt: Select[_T]) -> Select[_T]:
        stmt = stmt.where(
            or_(visible_clause(self.now.date()), _tombstone_clause()),
            Record.datestamp <= self.now,
        )
        if self.since is not None:
            stmt = stmt.where(Record.datestamp >= self.since)
        if self.until is not None:
            stmt = stmt.where(Record.datestamp <= self.until)
        if self.types:
            stmt = stmt.where(Record.type.in_(self.types))
        if self.access:
            stmt = stmt.where(Record.access_level.in_(access.harvest_levels(list(self.access))))
        return stmt


async def harvest_page(
    session: AsyncSession,
    selection: HarvestFilter,
    *,
    after: tuple[datetime, int] | None,
    limit: int,
) -> list[Record]:
    """Records and tombstones in ``(datestamp, pk)`` order after the keyset position ``after``."""
    stmt = selection.apply(select(Record))
    if after is not None:
        stamp, pk = after
        # a row-value comparison lets both databases seek the (datestamp, pk) index
        position = tuple_(
            literal(stamp, type_=Record.datestamp.type), literal(pk, type_=Record.pk.type)
        )
        stmt = stmt.where(tuple_(Record.datestamp, Record.pk) > position)
    stmt = stmt.order_by(Record.datestamp, Record.pk).limit(limit)
    return list((await session.scalars(stmt)).all())


async def count_harvest(session: AsyncSession, selection: HarvestFilter) -> int:
    stmt = selection.apply(select(func.count()).select_from(Record))
    return int(await session.scalar(stmt) or 0)


async def get_record(session: AsyncSession, local_id: str) -> Record | None:
    return await session.scalar(select(Record).where(Record.local_id == local_id))


async def earliest_datestamp(session: AsyncSession) -> datetime | None:
    return await session.scalar(select(func.min(Record.datestamp)))


async def latest_datestamp(session: AsyncSession, *, now: datetime) -> datetime | None:
    """When the published catalogue last changed (a record, a deletion or an embargo end)."""
    return await session.scalar(select(func.max(Record.datestamp)).where(Record.datestamp <= now))


async def visible_page(
    session: AsyncSession,
    *,
    today: date,
    types: Sequence[str] = (),
    after_pk: int | None = None,
    limit: int,
) -> list[Record]:
    """Live visible records in primary-key order (catalogue pages, sitemap, FAIR summary)."""
    stmt = select(Record).where(visible_clause(today))
    if types:
        stmt = stmt.where(Record.type.in_(types))
    if after_pk is not None:
        stmt = stmt.where(Record.pk > after_pk)
    stmt = stmt.order_by(Record.pk).limit(limit)
    return list((await session.scalars(stmt)).all())


async def visible_page_at(
    session: AsyncSession, *, today: date, offset: int, limit: int
) -> list[Record]:
    """One sitemap file: its page number is part of its URL, so paging is by offset."""
    stmt = select(Record).where(visible_clause(today)).order_by(Record.pk)
    return list((await session.scalars(stmt.offset(offset).limit(limit))).all())


async def count_visible(session: AsyncSession, *, today: date, types: Sequence[str] = ()) -> int:
    stmt = select(func.count()).select_from(Record).where(visible_clause(today))
    if types:
        stmt = stmt.where(Record.type.in_(types))
    return int(await session.scalar(stmt) or 0)


async def live_page(session: AsyncSession, *, after_pk: int | None, limit: int) -> list[Record]:
    """Every live record, drafts and running embargoes included, in primary-key order (what
    the Node's stewards work on: the workspace's FAIR worklist)."""
    stmt = select(Record).where(Record.deleted_at.is_(None))
    if after_pk is not None:
        stmt = stmt.where(Record.pk > after_pk)
    stmt = stmt.order_by(Record.pk).limit(limit)
    return list((await session.scalars(stmt)).all())

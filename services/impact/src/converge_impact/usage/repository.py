"""Usage SQL: events, datasets, monthly counts and the feed cursor."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from converge_impact.models import UsageDataset, UsageEvent, UsageFeedState, UsageMonthly

__all__ = [
    "DatasetFacts",
    "MonthlyRow",
    "dataset_facts",
    "datasets_by_id",
    "events_for_processing",
    "get_feed_cursor",
    "insert_events",
    "insert_monthly",
    "month_range",
    "monthly_rows",
    "monthly_sums",
    "replace_months",
    "set_feed_cursor",
    "upsert_datasets",
]

_CHUNK = 5000
_MONTHLY_TABLE = cast(Table, UsageMonthly.__table__)
_MONTHLY = _MONTHLY_TABLE.c
_MONTHLY_COLUMNS = [
    "month",
    "dataset_id",
    "access_method",
    "total_investigations",
    "unique_investigations",
    "total_requests",
    "unique_requests",
]


async def insert_events(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _CHUNK):
        await session.execute(
            insert(cast(Table, UsageEvent.__table__)), list(rows[start : start + _CHUNK])
        )


async def events_for_processing(
    session: AsyncSession, *, month: str, next_month: str, lookahead_until_s: int
) -> list[tuple[int, str, int, int, str, str]]:
    """The month's events, and the next month's first seconds (for double clicks)."""
    columns = (
        UsageEvent.occurred_s,
        UsageEvent.dataset_id,
        UsageEvent.kind,
        UsageEvent.access,
        UsageEvent.resource,
        UsageEvent.user_key,
    )
    own = select(*columns).where(UsageEvent.month == month)
    after = select(*columns).where(
        UsageEvent.month == next_month, UsageEvent.occurred_s < lookahead_until_s
    )
    rows = [*(await session.execute(own)).all(), *(await session.execute(after)).all()]
    return [(int(a), str(b), int(c), int(d), str(e), str(f)) for a, b, c, d, e, f in rows]


async def replace_months(session: AsyncSession, months: Iterable[str]) -> None:
    await session.execute(delete(UsageMonthly).where(UsageMonthly.month.in_(list(months))))


async def insert_monthly(session: AsyncSession, rows: Sequence[MonthlyRow]) -> None:
    """Many rows at once through the driver's ``executemany`` with positional tuples: half the
    time of SQLAlchemy's per-row parameter processing (a year of 100k datasets is over half a
    million rows)."""
    connection = await session.connection()
    compiled = insert(_MONTHLY_TABLE).compile(dialect=connection.dialect)
    if compiled.positiontup != _MONTHLY_COLUMNS:  # a driver with named parameters
        named = [dict(zip(_MONTHLY_COLUMNS, row, strict=True)) for row in rows]
        for start in range(0, len(named), _CHUNK):
            await session.execute(insert(_MONTHLY_TABLE), named[start : start + _CHUNK])
        return
    for start in range(0, len(rows), _CHUNK):
        await connection.exec_driver_sql(compiled.string, list(rows[start : start + _CHUNK]))


async def datasets_by_id(session: AsyncSession, ids: Sequence[str]) -> dict[str, UsageDataset]:
    found: dict[str, UsageDataset] = {}
    unique = sorted(set(ids))
    for start in range(0, len(unique), 900):
        chunk = unique[start : start + 900]
        rows = await session.scalars(select(UsageDataset).where(UsageDataset.id.in_(chunk)))
        found.update({r.id: r for r in rows})
    return found


async def upsert_datasets(session: AsyncSession, facts: dict[str, dict[str, Any]]) -> None:
    """Add datasets not seen before; fill in or update what a new source knows about them."""
    existing = await datasets_by_id(session, list(facts))
    for dataset_id, values in facts.items():
        row = existing.get(dataset_id)
        if row is None:
            session.add(UsageDataset(id=dataset_id, **values))
            continue
        for name, value in values.items():
            if value is not None:
                setattr(row, name, value)
    await session.flush()


MonthlyRow = tuple[str, str, str, int, int, int, int]
"""month, dataset id, access method, total and unique investigations, total and unique
requests"""


class DatasetFacts(NamedTuple):
    """What the report says of a dataset."""

    doi: str | None
    title: str | None
    publisher: str | None
    publication_year: int | None


_DATASETS = cast(Table, UsageDataset.__table__).c


async def monthly_rows(session: AsyncSession, *, first: str, last: str) -> Sequence[MonthlyRow]:
    # Core columns and plain rows, not ORM objects: a year of 100k datasets is over half a
    # million of them; the datasets' facts come separately (a join costs more per row)
    stmt = (
        select(
            _MONTHLY.month,
            _MONTHLY.dataset_id,
            _MONTHLY.access_method,
            _MONTHLY.total_investigations,
            _MONTHLY.unique_investigations,
            _MONTHLY.total_requests,
            _MONTHLY.unique_requests,
        )
        .where(_MONTHLY.month >= first, _MONTHLY.month <= last)
        .order_by(_MONTHLY.dataset_id, _MONTHLY.access_method, _MONTHLY.month)
    )
    return (await session.execute(stmt)).all()


async def dataset_facts(session: AsyncSession, ids: Sequence[str]) -> dict[str, DatasetFacts]:
    """The facts of those of ``ids`` that are known."""
    found: dict[str, DatasetFacts] = {}
    for start in range(0, len(ids), _CHUNK):
        stmt = select(
            _DATASETS.id,
            _DATASETS.doi,
            _DATASETS.title,
            _DATASETS.publisher,
            _DATASETS.publication_year,
        ).where(_DATASETS.id.in_(ids[start : start + _CHUNK]))
        for dataset_id, *facts in await session.execute(stmt):
            found[dataset_id] = DatasetFacts(*facts)
    return found


async def monthly_sums(
    session: AsyncSession, *, first: str, last: str
) -> list[tuple[str, int, int, int, int]]:
    stmt = (
        select(
            UsageMonthly.month,
            func.sum(UsageMonthly.total_investigations),
            func.sum(UsageMonthly.unique_investigations),
            func.sum(UsageMonthly.total_requests),
            func.sum(UsageMonthly.unique_requests),
        )
        .where(UsageMonthly.month >= first, UsageMonthly.month <= last)
        .group_by(UsageMonthly.month)
        .order_by(UsageMonthly.month)
    )
    return [(m, int(a), int(b), int(c), int(d)) for m, a, b, c, d in await session.execute(stmt)]


async def get_feed_cursor(session: AsyncSession, source: str) -> str | None:
    return await session.scalar(
        select(UsageFeedState.cursor).where(UsageFeedState.source == source)
    )


async def set_feed_cursor(session: AsyncSession, source: str, cursor: str, now_s: int) -> None:
    row = await session.get(UsageFeedState, source)
    if row is None:
        session.add(UsageFeedState(source=source, cursor=cursor, pulled_s=now_s))
    else:
        row.cursor, row.pulled_s = cursor, now_s
    await session.flush()


async def month_range(session: AsyncSession) -> tuple[str | None, str | None]:
    first, last = (
        await session.execute(select(func.min(UsageMonthly.month), func.max(UsageMonthly.month)))
    ).one()
    return first, last

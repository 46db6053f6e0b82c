"""Usage SQL: events, datasets, monthly counts and the feed cursor."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from converge_impact.models import UsageDataset, UsageEvent, UsageFeedState, UsageMonthly

__all__ = [
    "MonthlyRow",
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


async def insert_monthly(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _CHUNK):
        await session.execute(
            insert(cast(Table, UsageMonthly.__table__)), list(rows[start : start + _CHUNK])
        )


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


class MonthlyRow(NamedTuple):
    """One month of one dataset and access method, with what the report says of the dataset."""

    month: str
    dataset_id: str
    access_method: str
    total_investigations: int
    unique_investigations: int
    total_requests: int
    unique_requests: int
    doi: str | None
    title: str | None
    publisher: str | None
    publication_year: int | None


async def monthly_rows(session: AsyncSession, *, first: str, last: str) -> list[MonthlyRow]:
    # plain rows, not ORM objects: a year of 100k datasets is over a million of them
    stmt = (
        select(
            UsageMonthly.month,
            UsageMonthly.dataset_id,
            UsageMonthly.access_method,
            UsageMonthly.total_investigations,
            UsageMonthly.unique_investigations,
            UsageMonthly.total_requests,
            UsageMonthly.unique_requests,
            UsageDataset.doi,
            UsageDataset.title,
            UsageDataset.publisher,
            UsageDataset.publication_year,
        )
        .outerjoin(UsageDataset, UsageDataset.id == UsageMonthly.dataset_id)
        .where(UsageMonthly.month >= first, UsageMonthly.month <= last)
        .order_by(UsageMonthly.dataset_id, UsageMonthly.access_method, UsageMonthly.month)
    )
    return [MonthlyRow(*row) for row in (await session.execute(stmt)).tuples()]


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

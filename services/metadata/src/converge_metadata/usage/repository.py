"""Usage SQL: events, the daily salts, and what the feed says about the records it names."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from converge_metadata.models import Record, UsageEvent, UsageSalt

__all__ = [
    "delete_salts_before",
    "events_after",
    "get_salt",
    "insert_events",
    "insert_salt",
    "records_by_local_id",
]


async def get_salt(session: AsyncSession, day: date) -> str | None:
    return await session.scalar(select(UsageSalt.salt).where(UsageSalt.day == day))


async def insert_salt(session: AsyncSession, day: date, salt: str, now: datetime) -> None:
    session.add(UsageSalt(day=day, salt=salt, created_at=now))
    await session.flush()


async def delete_salts_before(session: AsyncSession, day: date) -> None:
    await session.execute(delete(UsageSalt).where(UsageSalt.day < day))


async def insert_events(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        # the Core table, not the ORM bulk path: a third of the cost per row
        await session.execute(insert(cast(Table, UsageEvent.__table__)), list(rows))


async def events_after(
    session: AsyncSession, *, after: int, limit: int, written_before: datetime
) -> list[UsageEvent]:
    stmt = (
        select(UsageEvent)
        .where(UsageEvent.id > after, UsageEvent.recorded_at <= written_before)
        .order_by(UsageEvent.id)
        .limit(limit)
    )
    return list((await session.scalars(stmt)).all())


async def records_by_local_id(session: AsyncSession, local_ids: Sequence[str]) -> list[Record]:
    if not local_ids:
        return []
    stmt = select(Record).where(Record.local_id.in_(list(local_ids)))
    return list((await session.scalars(stmt)).all())

"""The workspace's queries on the catalogue: what needs a steward's attention."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from converge_metadata.models import Record

__all__ = [
    "count_drafts",
    "count_embargoes_ending",
    "embargoes_ending",
    "get_records",
    "recent_drafts",
]


async def recent_drafts(session: AsyncSession, *, limit: int) -> list[Record]:
    """Live drafts, the most recently changed first."""
    stmt = (
        select(Record)
        .where(Record.deleted_at.is_(None), Record.status == "draft")
        .order_by(Record.modified_at.desc(), Record.pk.desc())
        .limit(limit)
    )
    return list((await session.scalars(stmt)).all())


async def count_drafts(session: AsyncSession) -> int:
    stmt = select(func.count()).where(Record.deleted_at.is_(None), Record.status == "draft")
    return int(await session.scalar(stmt) or 0)


def _ending(today: date, until: date) -> tuple[ColumnElement[bool], ...]:
    return (
        Record.deleted_at.is_(None),
        Record.access_level == "embargoed",
        Record.embargo_until >= today,
        Record.embargo_until <= until,
    )


async def embargoes_ending(
    session: AsyncSession, *, today: date, until: date, limit: int
) -> list[Record]:
    """Live embargoed records whose embargo ends from ``today`` to ``until``, soonest first."""
    stmt = (
        select(Record)
        .where(*_ending(today, until))
        .order_by(Record.embargo_until, Record.pk)
        .limit(limit)
    )
    return list((await session.scalars(stmt)).all())


async def count_embargoes_ending(session: AsyncSession, *, today: date, until: date) -> int:
    stmt = select(func.count()).where(*_ending(today, until))
    return int(await session.scalar(stmt) or 0)


async def get_records(session: AsyncSession, local_ids: Sequence[str]) -> dict[str, Record]:
    if not local_ids:
        return {}
    stmt = select(Record).where(Record.local_id.in_(local_ids))
    return {r.local_id: r for r in (await session.scalars(stmt)).all()}

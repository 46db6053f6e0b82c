"""SQL of reported values and their history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from converge_impact.models import Indicator, ReportedValue, ValueChange

__all__ = [
    "add",
    "all_changes",
    "by_id",
    "by_indicator_period",
    "changes_of",
    "values_query",
    "values_with_indicators",
]


async def by_id(session: AsyncSession, value_id: int) -> tuple[ReportedValue, Indicator] | None:
    row = (
        await session.execute(
            select(ReportedValue, Indicator)
            .join(Indicator, Indicator.id == ReportedValue.indicator_id)
            .where(ReportedValue.id == value_id)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def by_indicator_period(
    session: AsyncSession, indicator_id: int, period: str
) -> ReportedValue | None:
    return await session.scalar(
        select(ReportedValue).where(
            ReportedValue.indicator_id == indicator_id, ReportedValue.period == period
        )
    )


def add(session: AsyncSession, row: ReportedValue | ValueChange) -> None:
    session.add(row)


def values_query(
    *,
    statuses: Sequence[str] = (),
    indicator_id: int | None = None,
    period: str | None = None,
) -> Select[Any]:
    stmt = select(ReportedValue)
    if statuses:
        stmt = stmt.where(ReportedValue.status.in_(statuses))
    if indicator_id is not None:
        stmt = stmt.where(ReportedValue.indicator_id == indicator_id)
    if period:
        stmt = stmt.where(ReportedValue.period == period)
    return stmt


async def values_with_indicators(
    session: AsyncSession, *, statuses: Sequence[str] = (), indicator_ids: Sequence[int] = ()
) -> Sequence[tuple[ReportedValue, Indicator]]:
    stmt = select(ReportedValue, Indicator).join(
        Indicator, Indicator.id == ReportedValue.indicator_id
    )
    if statuses:
        stmt = stmt.where(ReportedValue.status.in_(statuses))
    if indicator_ids:
        stmt = stmt.where(ReportedValue.indicator_id.in_(indicator_ids))
    rows = await session.execute(stmt.order_by(Indicator.code, ReportedValue.period))
    return [(v, i) for v, i in rows.all()]


async def changes_of(session: AsyncSession, value_id: int) -> Sequence[ValueChange]:
    stmt = (
        select(ValueChange)
        .where(ValueChange.value_id == value_id)
        .order_by(ValueChange.at, ValueChange.id)
    )
    return (await session.scalars(stmt)).all()


async def all_changes(session: AsyncSession) -> Sequence[tuple[ValueChange, ReportedValue, str]]:
    stmt = (
        select(ValueChange, ReportedValue, Indicator.code)
        .join(ReportedValue, ReportedValue.id == ValueChange.value_id)
        .join(Indicator, Indicator.id == ReportedValue.indicator_id)
        .order_by(ValueChange.value_id, ValueChange.at, ValueChange.id)
    )
    return [(c, v, code) for c, v, code in (await session.execute(stmt)).all()]

"""SQL of derived values."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from converge_impact.models import DerivedValue, Indicator

__all__ = ["delete_months", "list_derived", "upsert"]


async def delete_months(
    session: AsyncSession, indicator_ids: Iterable[int], *, from_month: str | None
) -> None:
    stmt = delete(DerivedValue).where(DerivedValue.indicator_id.in_(list(indicator_ids)))
    if from_month is not None:
        stmt = stmt.where(DerivedValue.period >= from_month)
    await session.execute(stmt)


async def upsert(
    session: AsyncSession,
    *,
    indicator_id: int,
    period: str,
    granularity: str,
    value: float,
    source: str,
    computed_at: datetime,
) -> None:
    row = await session.scalar(
        select(DerivedValue).where(
            DerivedValue.indicator_id == indicator_id, DerivedValue.period == period
        )
    )
    if row is None:
        session.add(
            DerivedValue(
                indicator_id=indicator_id,
                period=period,
                granularity=granularity,
                value=value,
                source=source,
                computed_at=computed_at,
            )
        )
        await session.flush()
    else:
        row.value, row.source, row.computed_at = value, source, computed_at


async def list_derived(
    session: AsyncSession, *, indicator_id: int | None = None
) -> Sequence[tuple[DerivedValue, Indicator]]:
    stmt = select(DerivedValue, Indicator).join(
        Indicator, Indicator.id == DerivedValue.indicator_id
    )
    if indicator_id is not None:
        stmt = stmt.where(DerivedValue.indicator_id == indicator_id)
    rows = await session.execute(stmt.order_by(Indicator.code, DerivedValue.period))
    return [(d, i) for d, i in rows.all()]

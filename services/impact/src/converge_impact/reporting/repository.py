"""SQL of the public figures: validated reported values and derived values."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from converge_impact.models import DerivedValue, ReportedValue

__all__ = ["PublicRow", "public_values"]

# indicator id, period, value, source, computed_at, validated_at
PublicRow = tuple[int, str, float, str, datetime | None, datetime | None]


async def public_values(
    session: AsyncSession, *, indicator_ids: Sequence[int] = ()
) -> list[PublicRow]:
    reported = select(
        ReportedValue.indicator_id,
        ReportedValue.period,
        ReportedValue.value,
        ReportedValue.validated_at,
    ).where(ReportedValue.status == "validated")
    derived = select(
        DerivedValue.indicator_id, DerivedValue.period, DerivedValue.value, DerivedValue.computed_at
    )
    if indicator_ids:
        reported = reported.where(ReportedValue.indicator_id.in_(indicator_ids))
        derived = derived.where(DerivedValue.indicator_id.in_(indicator_ids))
    out: list[PublicRow] = [
        (i, p, v, "reported", None, at) for i, p, v, at in (await session.execute(reported)).all()
    ]
    out += [
        (i, p, v, "derived", at, None) for i, p, v, at in (await session.execute(derived)).all()
    ]
    return out

"""The COUNTER usage indicators, from the Node's processed Dataset Master Report totals."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from converge_impact.derived.compute import Derivation, Figure
from converge_impact.usage.service import monthly_totals

__all__ = ["USAGE_FIELDS", "usage_derivation"]

USAGE_FIELDS = {
    "usage.investigations.total": "total_investigations",
    "usage.investigations.unique": "unique_investigations",
    "usage.requests.total": "total_requests",
    "usage.requests.unique": "unique_requests",
}
SOURCE = "usage: COUNTER Dataset Master Report totals (regular and machine access)"


async def usage_derivation(session: AsyncSession, *, begin: date, end: date) -> Derivation:
    totals = await monthly_totals(session, begin=begin, end=end)
    out = Derivation(replaces=set(USAGE_FIELDS), replace_from=f"{begin.year:04d}-{begin.month:02d}")
    for month, value in sorted(totals.items()):
        for code, name in USAGE_FIELDS.items():
            out.figures.append(Figure(code, month, float(getattr(value, name)), SOURCE))
    return out

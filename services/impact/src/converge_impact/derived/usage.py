"""The COUNTER usage indicators, from ``converge_impact.usage.service.monthly_totals``.

The usage module (COUNTER processing into Dataset Master Reports) is built separately; when
it is not installed in this service, the usage indicators are skipped (never invented) and
the refresh says so.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from converge_impact.derived.compute import Derivation, Figure

__all__ = ["USAGE_FIELDS", "monthly_totals_function", "usage_derivation"]

USAGE_FIELDS = {
    "usage.investigations.total": "total_investigations",
    "usage.investigations.unique": "unique_investigations",
    "usage.requests.total": "total_requests",
    "usage.requests.unique": "unique_requests",
}
SOURCE = "usage:converge_impact.usage.service.monthly_totals (COUNTER DSR totals)"


class _Totals(Protocol):
    total_investigations: int
    unique_investigations: int
    total_requests: int
    unique_requests: int


MonthlyTotals = Callable[..., Awaitable[Mapping[str, Any]]]


def monthly_totals_function() -> MonthlyTotals | None:
    """The usage module's ``monthly_totals``, or ``None`` when it is not part of this build."""
    try:
        module = importlib.import_module("converge_impact.usage.service")
    except ModuleNotFoundError:
        return None
    function = getattr(module, "monthly_totals", None)
    return function if callable(function) else None


async def usage_derivation(
    session: AsyncSession, monthly_totals: MonthlyTotals, *, begin: date, end: date
) -> Derivation:
    totals = await monthly_totals(session, begin=begin, end=end)
    out = Derivation(replaces=set(USAGE_FIELDS), replace_from=f"{begin.year:04d}-{begin.month:02d}")
    for month, value in sorted(totals.items()):
        typed: _Totals = value
        for code, name in USAGE_FIELDS.items():
            out.figures.append(Figure(code, month, float(getattr(typed, name)), SOURCE))
    return out

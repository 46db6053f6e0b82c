"""Reporting periods: a year ``2025``, a quarter ``2025-Q3`` or a month ``2025-07``."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

__all__ = [
    "PERIOD_PATTERN",
    "Granularity",
    "granularity_of",
    "month_of",
    "parent",
    "period_key",
]

Granularity = Literal["year", "quarter", "month"]
PERIOD_PATTERN = r"^(19[9][0-9]|20[0-9]{2}|2100)(-Q[1-4]|-(0[1-9]|1[0-2]))?$"
_PERIOD = re.compile(PERIOD_PATTERN)


def granularity_of(period: str) -> Granularity:
    if not _PERIOD.match(period):
        raise ValueError(f"not a period: {period!r} (use 2025, 2025-Q3 or 2025-07)")
    if len(period) == 4:
        return "year"
    return "quarter" if period[5] == "Q" else "month"


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def parent(period: str, granularity: Granularity) -> str:
    """The period of ``granularity`` that contains ``period`` (which is at least as fine)."""
    year = period[:4]
    if granularity == "year":
        return year
    if granularity == "quarter":
        if granularity_of(period) == "quarter":
            return period
        return f"{year}-Q{(int(period[5:7]) - 1) // 3 + 1}"
    return period


def period_key(period: str) -> tuple[int, int]:
    """Sorts periods of one granularity (and a year before its parts)."""
    year = int(period[:4])
    kind = granularity_of(period)
    if kind == "year":
        return (year, 0)
    if kind == "quarter":
        return (year, int(period[6]) * 3)
    return (year, int(period[5:7]))

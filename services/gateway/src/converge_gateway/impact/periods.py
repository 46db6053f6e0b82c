"""Reporting periods as the impact contract writes them: ``2025``, ``2025-Q3``, ``2025-07``."""

from __future__ import annotations

import re
from typing import Literal

__all__ = [
    "ANY_PERIOD_PATTERN",
    "GRANULARITY_EXAMPLES",
    "Granularity",
    "granularity_of",
    "is_period_of",
    "period_key",
]

Granularity = Literal["year", "quarter", "month"]

_PATTERNS: dict[Granularity, re.Pattern[str]] = {
    "year": re.compile(r"^[0-9]{4}$"),
    "quarter": re.compile(r"^[0-9]{4}-Q[1-4]$"),
    "month": re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$"),
}
ANY_PERIOD_PATTERN = r"^[0-9]{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$"
GRANULARITY_EXAMPLES: dict[Granularity, str] = {
    "year": "a year such as 2025",
    "quarter": "a quarter such as 2025-Q3",
    "month": "a month such as 2025-07",
}


def is_period_of(period: str, granularity: Granularity) -> bool:
    """Whether ``period`` is written as a period of ``granularity``. Periods of one
    granularity, so written, sort in time order as plain strings."""
    return _PATTERNS[granularity].match(period) is not None


def granularity_of(period: str) -> Granularity | None:
    """Which kind of period this is, or None when it is not a period string."""
    for granularity, pattern in _PATTERNS.items():
        if pattern.match(period):
            return granularity
    return None


def period_key(period: str) -> tuple[int, int]:
    """Sorts periods in time order (``year, sub-period``); refuses what is not a period."""
    granularity = granularity_of(period)
    if granularity is None:
        raise ValueError(f"not a period: {period!r}")
    year = int(period[:4])
    if granularity == "year":
        return year, 0
    if granularity == "quarter":
        return year, int(period[-1])
    return year, int(period[5:])

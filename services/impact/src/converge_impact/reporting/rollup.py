"""From the periods values were given for to the periods a reader asks for.

A value given for the asked period is used as it is. Otherwise the finer values inside it
are combined with the indicator's ``combine_periods`` rule: months into a quarter, then
quarters (given, or combined from months) into a year. A period with nothing inside it has
no point. ``latest`` takes the last period that has a value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from converge_impact.periods import Granularity, granularity_of, parent, period_key
from converge_impact.vocabulary import combine

__all__ = ["Point", "rollup"]


@dataclass(frozen=True)
class Point:
    period: str
    value: float
    source: str
    computed_at: datetime | None
    validated_at: datetime | None


def _latest(values: Iterable[datetime | None]) -> datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _combine(period: str, parts: list[Point], rule: str) -> Point:
    parts = sorted(parts, key=lambda p: period_key(p.period))
    return Point(
        period=period,
        value=combine(rule, [p.value for p in parts]),
        source=parts[-1].source,
        computed_at=_latest(p.computed_at for p in parts),
        validated_at=_latest(p.validated_at for p in parts),
    )


def _up(
    given: dict[str, Point], finer: dict[str, Point], to: Granularity, rule: str
) -> dict[str, Point]:
    groups: dict[str, list[Point]] = defaultdict(list)
    for point in finer.values():
        groups[parent(point.period, to)].append(point)
    out = dict(given)
    for period, parts in groups.items():
        if period not in out:
            out[period] = _combine(period, parts, rule)
    return out


def rollup(points: Iterable[Point], granularity: Granularity, rule: str) -> list[Point]:
    """Points of ``granularity`` in period order."""
    by: dict[str, dict[str, Point]] = {"year": {}, "quarter": {}, "month": {}}
    for point in points:
        by[granularity_of(point.period)][point.period] = point
    level = by["month"]
    if granularity != "month":
        level = _up(by["quarter"], by["month"], "quarter", rule)
        if granularity == "year":
            level = _up(by["year"], level, "year", rule)
    return sorted(level.values(), key=lambda p: period_key(p.period))

"""Series, pathway profiles and the annual report's content, from public figures only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from converge_common.errors import FieldError, InvalidInput
from sqlalchemy.ext.asyncio import AsyncSession

from converge_impact.indicators import repository as indicators
from converge_impact.indicators import service as indicator_service
from converge_impact.models import Indicator, ReportedValue
from converge_impact.periods import Granularity, granularity_of, period_key
from converge_impact.reporting import repository
from converge_impact.reporting.rollup import Point, rollup
from converge_impact.reporting.schemas import (
    PathwayProfile,
    PathwaySeries,
    Profile,
    ProfileIndicator,
    Series,
    SeriesPoint,
)
from converge_impact.values import repository as values
from converge_impact.vocabulary import PATHWAY_NAMES

__all__ = ["AnnualContent", "annual_content", "pathway_series", "profile", "series"]


def _check_bounds(granularity: Granularity, start: str | None, end: str | None) -> None:
    for name, bound in (("from", start), ("to", end)):
        if bound is not None and granularity_of(bound) != granularity:
            raise InvalidInput(
                f"{name}={bound} is not a {granularity}",
                errors=[FieldError(f"/{name}", "granularity", f"a {granularity} period")],
            )
    if start and end and period_key(start) > period_key(end):
        raise InvalidInput("from is after to", errors=[FieldError("/from", "order", "from <= to")])


async def _points(session: AsyncSession, ids: Sequence[int]) -> dict[int, list[Point]]:
    out: dict[int, list[Point]] = defaultdict(list)
    for (
        indicator_id,
        period,
        value,
        source,
        computed_at,
        validated_at,
    ) in await repository.public_values(session, indicator_ids=ids):
        out[indicator_id].append(Point(period, value, source, computed_at, validated_at))
    return out


def _series(
    indicator: Indicator,
    points: list[Point],
    granularity: Granularity,
    start: str | None,
    end: str | None,
) -> Series:
    rolled = rollup(points, granularity, indicator.combine_periods)
    kept = [
        p
        for p in rolled
        if (start is None or period_key(p.period) >= period_key(start))
        and (end is None or period_key(p.period) <= period_key(end))
    ]
    return Series(
        indicator=indicator.code,
        name=indicator.name,
        granularity=granularity,
        unit=indicator.unit,
        combine_periods=indicator.combine_periods,
        points=[
            SeriesPoint(
                period=p.period,
                value=p.value,
                source=p.source,
                computed_at=p.computed_at,
                validated_at=p.validated_at,
            )
            for p in kept
        ],
    )


async def series(
    session: AsyncSession,
    code: str,
    *,
    granularity: Granularity,
    start: str | None = None,
    end: str | None = None,
) -> Series:
    _check_bounds(granularity, start, end)
    indicator = await indicator_service.get(session, code)
    points = await _points(session, [indicator.id])
    return _series(indicator, points[indicator.id], granularity, start, end)


async def pathway_series(
    session: AsyncSession,
    pathway: str,
    *,
    granularity: Granularity,
    start: str | None = None,
    end: str | None = None,
) -> PathwaySeries:
    _check_bounds(granularity, start, end)
    rows = await indicators.list_indicators(session, pathway=pathway)
    points = await _points(session, [i.id for i in rows])
    return PathwaySeries(
        pathway=pathway,
        name=PATHWAY_NAMES[pathway],
        granularity=granularity,
        indicators=[_series(i, points[i.id], granularity, start, end) for i in rows],
    )


async def profile(session: AsyncSession, period: str, *, node: str) -> Profile:
    granularity = granularity_of(period)
    rows = await indicators.list_indicators(session)
    points = await _points(session, [i.id for i in rows])
    by_pathway: dict[str, list[ProfileIndicator]] = {p: [] for p in PATHWAY_NAMES}
    for indicator in rows:
        for point in rollup(points[indicator.id], granularity, indicator.combine_periods):
            if point.period == period:
                by_pathway[indicator.pathway].append(
                    ProfileIndicator(
                        code=indicator.code,
                        name=indicator.name,
                        value=point.value,
                        unit=indicator.unit,
                        source=point.source,
                    )
                )
    return Profile(
        period=period,
        node=node,
        pathways=[
            PathwayProfile(pathway=p, name=PATHWAY_NAMES[p], indicators=items)
            for p, items in by_pathway.items()
        ],
    )


@dataclass(frozen=True)
class AnnualContent:
    year: str
    profile: Profile
    # validated reported values of the year (any period inside it), with their evidence
    reported: list[tuple[Indicator, ReportedValue]]
    # monthly series of the derived indicators over the year
    derived: list[Series]
    indicators: dict[str, Indicator]


async def annual_content(session: AsyncSession, year: str, *, node: str) -> AnnualContent:
    if granularity_of(year) != "year":
        raise InvalidInput(
            f"{year} is not a year", errors=[FieldError("/year", "granularity", "e.g. 2025")]
        )
    rows = await indicators.list_indicators(session)
    reported = [
        (indicator, value)
        for value, indicator in await values.values_with_indicators(session, statuses=["validated"])
        if value.period[:4] == year
    ]
    points = await _points(session, [i.id for i in rows if i.source == "derived"])
    derived = [
        s
        for i in rows
        if i.source == "derived"
        and (s := _series(i, points[i.id], "month", f"{year}-01", f"{year}-12")).points
    ]
    return AnnualContent(
        year=year,
        profile=await profile(session, year, node=node),
        reported=reported,
        derived=derived,
        indicators={i.code: i for i in rows},
    )

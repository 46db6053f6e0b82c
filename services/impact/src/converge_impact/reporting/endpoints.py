"""Series, pathway profiles, SVG charts and the annual report: public figures only."""

from __future__ import annotations

from typing import Annotated

from converge_common.app import SessionDep
from converge_common.db import utcnow
from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, Response

from converge_impact.dependencies import NodeDep, SettingsDep
from converge_impact.indicators.endpoints import Code
from converge_impact.periods import Granularity
from converge_impact.reporting import service
from converge_impact.reporting.annual import ANNUAL_REPORT_POLICY, render_annual_report
from converge_impact.reporting.charts import profile_chart, series_chart
from converge_impact.reporting.schemas import PathwaySeries, Profile, Series
from converge_impact.values.schemas import Period
from converge_impact.vocabulary import Pathway

__all__ = ["router"]

router = APIRouter(tags=["reporting"])
SVG = "image/svg+xml"
From = Annotated[Period | None, Query(alias="from", description="First period, inclusive")]
To = Annotated[Period | None, Query(alias="to", description="Last period, inclusive")]
Year = Annotated[str, Path(pattern=r"^(199[0-9]|20[0-9]{2}|2100)$")]


@router.get("/indicators/{code}/series", response_model=Series)
async def indicator_series(
    code: Code,
    session: SessionDep,
    granularity: Granularity = "year",
    start: From = None,
    end: To = None,
) -> Series:
    """Public values of one indicator per period, finer values combined by its
    ``combine_periods`` rule; periods without a value are omitted."""
    return await service.series(session, code, granularity=granularity, start=start, end=end)


@router.get("/pathways/{pathway}/series", response_model=PathwaySeries)
async def pathway_series(
    pathway: Pathway,
    session: SessionDep,
    granularity: Granularity = "year",
    start: From = None,
    end: To = None,
) -> PathwaySeries:
    """The series of every indicator of one impact pathway."""
    return await service.pathway_series(
        session, pathway, granularity=granularity, start=start, end=end
    )


@router.get("/profile", response_model=Profile)
async def pathway_profile(session: SessionDep, node: NodeDep, period: Period) -> Profile:
    """The Node's pathway profile for one period: every indicator with a public value."""
    return await service.profile(session, period, node=node)


@router.get(
    "/charts/indicators/{code}.svg",
    response_class=Response,
    responses={200: {"content": {SVG: {}}, "description": "An SVG bar chart"}},
)
async def indicator_chart(
    code: Code,
    session: SessionDep,
    node: NodeDep,
    granularity: Granularity = "year",
    start: From = None,
    end: To = None,
) -> Response:
    """One indicator over time as SVG (usage by month: a ``usage.*`` indicator by month)."""
    series = await service.series(session, code, granularity=granularity, start=start, end=end)
    return Response(series_chart(series, node=node), media_type=SVG)


@router.get(
    "/charts/profile.svg",
    response_class=Response,
    responses={200: {"content": {SVG: {}}, "description": "An SVG chart"}},
)
async def profile_svg(session: SessionDep, node: NodeDep, period: Period) -> Response:
    """The pathway profile of one period as SVG."""
    return Response(
        profile_chart(await service.profile(session, period, node=node)), media_type=SVG
    )


@router.get("/annual-reports/{year}", response_class=HTMLResponse)
async def annual_report(
    year: Year, session: SessionDep, node: NodeDep, settings: SettingsDep
) -> HTMLResponse:
    """The Node's annual report: every validated value with its evidence, the derived
    values and the charts, as one printable HTML page."""
    content = await service.annual_content(session, year, node=node)
    html = render_annual_report(content, node=node, node_name=settings.node_name, now=utcnow())
    return HTMLResponse(html, headers={"Content-Security-Policy": ANNUAL_REPORT_POLICY})

"""The impact pages: the federation's pathway profile for a period, and one indicator across
Nodes and time, from the gateway's federated impact API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from converge_common.errors import ProblemError
from converge_common.web.charts import bar_chart
from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from converge_gateway.context import GatewayDep
from converge_gateway.impact.periods import Granularity, granularity_of
from converge_gateway.impact.schemas import CODE_MAX, CODE_PATTERN
from converge_gateway.impact.service import (
    SeriesRequest,
    federated_profile,
    federated_series,
    wanted_nodes,
)
from converge_gateway.portal.pages import problem_page
from converge_gateway.portal.render import Page

__all__ = ["router"]

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
GRANULARITIES: tuple[Granularity, ...] = ("year", "quarter", "month")


def default_period() -> str:
    """The last full year: the period a Node's annual figures are complete for."""
    return str(datetime.now(UTC).year - 1)


@router.get("/impact")
async def profile_page(request: Request, gateway: GatewayDep) -> HTMLResponse:
    page = Page(request)
    period = request.query_params.get("period") or default_period()
    if granularity_of(period) is None:
        period = default_period()
    try:
        profile: dict[str, Any] = await federated_profile(gateway, period, wanted_nodes(None))
    except ProblemError as error:
        return problem_page(page, error)
    nodes = sorted({n for p in profile["pathways"] for i in p["indicators"] for n in i["nodes"]})
    names = {n.id: n.name for n in gateway.directory.nodes}
    year = int(period[:4])
    return page.render(
        "impact.html",
        {
            "profile": profile,
            "period": period,
            "columns": [(n, names.get(n, n)) for n in nodes],
            "years": [str(y) for y in range(year - 3, year + 2)],
        },
    )


@router.get("/impact/indicators/{code}")
async def indicator_page(
    request: Request,
    gateway: GatewayDep,
    code: Annotated[str, Path(pattern=CODE_PATTERN, max_length=CODE_MAX)],
) -> HTMLResponse:
    page = Page(request)
    asked = request.query_params.get("granularity", "year")
    granularity: Granularity = next((g for g in GRANULARITIES if g == asked), "year")
    try:
        series_request = SeriesRequest.checked(code, granularity=granularity, start=None, end=None)
        series: dict[str, Any] = await federated_series(gateway, series_request, wanted_nodes(None))
    except ProblemError as error:
        return problem_page(page, error)
    nodes = sorted({n for point in series["points"] for n in point["nodes"]})
    names = {n.id: n.name for n in gateway.directory.nodes}
    chart = bar_chart(
        [(p["period"], float(p["value"])) for p in series["points"]],
        title=series["indicator"]["name"],
        number=page.language.number,
    )
    return page.render(
        "indicator.html",
        {
            "series": series,
            "indicator": series["indicator"],
            "columns": [(n, names.get(n, n)) for n in nodes],
            "chart": chart,
            "granularity": granularity,
            "granularities": GRANULARITIES,
        },
    )

"""``GET /api/v1/impact/...``: the federation's impact figures, asked of every Node at once."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from converge_gateway.context import GatewayDep
from converge_gateway.impact.periods import ANY_PERIOD_PATTERN, Granularity
from converge_gateway.impact.schemas import (
    CODE_MAX,
    CODE_PATTERN,
    FederatedProfile,
    FederatedSeries,
    IndicatorCatalogue,
)
from converge_gateway.impact.service import (
    SeriesRequest,
    federated_catalogue,
    federated_profile,
    federated_series,
    wanted_nodes,
)

__all__ = ["router"]

router = APIRouter(prefix="/impact", tags=["impact"])

# RFC 9457 problem details, as every service renders them
_PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "pointer": {"type": "string"},
                    "rule": {"type": "string"},
                    "detail": {"type": "string"},
                    "in": {"type": "string"},
                },
            },
        },
    },
}


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": _PROBLEM_SCHEMA}},
    }


_COMMON: dict[int | str, dict[str, Any]] = {
    400: _problem("Unknown Node in `node`"),
    422: _problem(
        "A parameter breaks its rule (each named by a JSON pointer), or every Node called "
        "refused the request (with the Nodes' reason)"
    ),
    429: _problem("Rate limit exceeded (`Retry-After`)"),
}

NodeFilter = Annotated[
    list[str] | None,
    Query(description="Ask only these Nodes: `node=de,fi` or `node=de&node=fi`"),
]


@router.get(
    "/indicators",
    response_model=IndicatorCatalogue,
    summary="Every indicator any Node defines, with the Nodes that define it",
    description="The union of the Nodes' catalogues, each indicator in the federation's "
    "definition (see `conflicts` for Nodes that define it differently).",
    responses=_COMMON,
)
async def list_indicators(gateway: GatewayDep, node: NodeFilter = None) -> dict[str, Any]:
    return await federated_catalogue(gateway, wanted_nodes(node))


@router.get(
    "/indicators/{code}",
    response_model=FederatedSeries,
    summary="An indicator across the federation, per period, combined by its own rule",
    description="Each period's value is the Nodes' values combined by the indicator's "
    "`combine_nodes` rule (sum, mean, max, latest), with each Node's value beside it.",
    responses={
        **_COMMON,
        404: _problem("No Node defines the indicator"),
        503: _problem("No Node that answered defines it, and some did not answer"),
    },
)
async def indicator_series(
    gateway: GatewayDep,
    code: Annotated[
        str,
        Path(pattern=CODE_PATTERN, max_length=CODE_MAX, examples=["records.datasets.published"]),
    ],
    granularity: Annotated[Granularity, Query(description="Period length")] = "year",
    from_: Annotated[
        str | None,
        Query(
            alias="from",
            pattern=ANY_PERIOD_PATTERN,
            description="First period, in the granularity asked (2024, 2024-Q1, 2024-01)",
        ),
    ] = None,
    to: Annotated[
        str | None,
        Query(pattern=ANY_PERIOD_PATTERN, description="Last period, in the granularity asked"),
    ] = None,
    node: NodeFilter = None,
) -> dict[str, Any]:
    request = SeriesRequest.checked(code, granularity=granularity, start=from_, end=to)
    return await federated_series(gateway, request, wanted_nodes(node))


@router.get(
    "/profile",
    response_model=FederatedProfile,
    summary="The federation's pathway profile for one period",
    description="Every indicator with a value in the period, grouped by ELIXIR's nine "
    "impact pathways, each combined across Nodes by its own rule.",
    responses=_COMMON,
)
async def pathway_profile(
    gateway: GatewayDep,
    period: Annotated[
        str,
        Query(pattern=ANY_PERIOD_PATTERN, description="A year, quarter or month: 2025, 2025-Q3"),
    ],
    node: NodeFilter = None,
) -> dict[str, Any]:
    return await federated_profile(gateway, period, wanted_nodes(node))

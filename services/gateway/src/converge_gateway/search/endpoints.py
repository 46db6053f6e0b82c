"""``GET /api/v1/search``: one search across every active Node."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from converge_common.inputs import INT32_MAX
from converge_common.languages import LangQuery
from converge_common.openapi import problem_responses
from fastapi import APIRouter, Query, Request

from converge_gateway.context import GatewayDep
from converge_gateway.search.facets import NODE_FACET_MAX
from converge_gateway.search.schemas import (
    FACET_DIMENSIONS,
    AccessLevel,
    FederatedSearchPage,
    RecordType,
    SearchSort,
    TrainingLevel,
)
from converge_gateway.search.service import SearchRequest, federated_search

__all__ = ["router"]

router = APIRouter(tags=["search"])

Values = Annotated[
    list[str] | None,
    Query(description="Repeat for alternatives (`topic=a&topic=b`); dimensions combine with AND"),
]


@router.get(
    "/search",
    response_model=FederatedSearchPage,
    summary="Search every active Node at once",
    description="The query language, filters and sort of a Node's `GET /api/v1/search`, asked "
    "of every active Node (or those named by `node`) under one deadline. Answers with what came "
    "back in time, in one ranking, and names each Node's outcome. A parameter not listed here "
    "is refused (422, rule `no_additional_properties`); a `limit` above the maximum is capped "
    "and said in `warnings`. The same mistake answers the same status and pointer whether the "
    "gateway or the Nodes find it.",
    responses=problem_responses(
        400, _400="A cursor the gateway did not issue, or issued for another query"
    ),
)
async def search(
    request: Request,
    gateway: GatewayDep,
    q: Annotated[
        str | None, Query(max_length=500, description="Free text, in the Nodes' query language")
    ] = None,
    type: Annotated[list[RecordType] | None, Query(description="Record types")] = None,
    topic: Values = None,
    organism: Values = None,
    license: Values = None,
    access: Annotated[list[AccessLevel] | None, Query(description="Access levels")] = None,
    keyword: Values = None,
    language: Values = None,
    year_from: Annotated[int | None, Query(ge=0, le=9999, description="Issued from")] = None,
    year_to: Annotated[int | None, Query(ge=0, le=9999, description="Issued until")] = None,
    starts_from: Annotated[
        date | None,
        Query(description="Courses starting on or after this date (`course.start_date`)"),
    ] = None,
    starts_to: Annotated[
        date | None, Query(description="Courses starting on or before this date")
    ] = None,
    online: Annotated[
        bool | None, Query(description="Courses online (`true`) or not (`false`)")
    ] = None,
    level: Annotated[
        list[TrainingLevel] | None, Query(description="Training level (`training.level`)")
    ] = None,
    sort: Annotated[
        SearchSort | None,
        Query(
            description="Default: relevance with `q`, else date (newest first); `title`; "
            "`start` (courses' start date, soonest first; records without a course last)"
        ),
    ] = None,
    facets: Annotated[
        str | None,
        Query(
            max_length=200,
            description="`true` (default: every dimension), `false`, or the dimensions to "
            "count, comma-separated: " + ", ".join(f"`{d}`" for d in FACET_DIMENSIONS),
            examples=["topic,organism"],
        ),
    ] = None,
    facet_size: Annotated[
        int | None,
        Query(ge=1, le=NODE_FACET_MAX, description="Values shown per facet dimension"),
    ] = None,
    node: Annotated[
        list[str] | None, Query(description="Search only these Nodes: `node=de,nl`")
    ] = None,
    limit: Annotated[
        int | None, Query(ge=1, le=INT32_MAX, description="Page size (capped; see `warnings`)")
    ] = None,
    cursor: Annotated[str | None, Query(description="From the previous page")] = None,
    lang: LangQuery = None,
) -> dict[str, Any]:
    settings = gateway.settings
    search_request = SearchRequest.from_query(
        request.query_params.multi_items(),
        limit=limit or settings.page_size_default,
        max_limit=settings.page_size_max,
        facets=facets,
        facet_size=facet_size or settings.facet_size_default,
    )
    return await federated_search(gateway, search_request)

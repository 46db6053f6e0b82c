"""``GET /api/v1/search``: one search across every active Node."""

from __future__ import annotations

from typing import Annotated, Any

from converge_common.inputs import INT32_MAX
from converge_common.openapi import problem_responses
from fastapi import APIRouter, Query, Request

from converge_gateway.context import GatewayDep
from converge_gateway.search.schemas import FederatedSearchPage
from converge_gateway.search.service import SearchRequest, federated_search

__all__ = ["router"]

router = APIRouter(tags=["search"])


@router.get(
    "/search",
    response_model=FederatedSearchPage,
    summary="Search every active Node at once",
    description="Takes the same query language, filters and facets as a Node's "
    "`GET /api/v1/search` (every parameter other than `node`, `limit` and `cursor` goes to "
    "the Nodes unchanged). Answers within the deadline with what came back in time, and "
    "names each Node's outcome.",
    responses=problem_responses(
        400, _400="A malformed query, filter or cursor (the problem names the parameter)"
    ),
)
async def search(
    request: Request,
    gateway: GatewayDep,
    q: Annotated[str | None, Query(description="Query, in the Nodes' query language")] = None,
    node: Annotated[
        list[str] | None, Query(description="Search only these Nodes: `node=de,nl`")
    ] = None,
    limit: Annotated[
        int | None, Query(ge=1, le=INT32_MAX, description="Page size (capped)")
    ] = None,
    cursor: Annotated[str | None, Query(description="From the previous page")] = None,
) -> dict[str, Any]:
    settings = gateway.settings
    search_request = SearchRequest.from_query(
        request.query_params.multi_items(),
        limit=limit or settings.page_size_default,
        max_limit=settings.page_size_max,
    )
    return await federated_search(gateway, search_request)

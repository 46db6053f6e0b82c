"""The portal's pages, served by the gateway from the same services as its public API."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Annotated, Any

from converge_common.errors import ProblemError
from converge_common.languages import pick_text
from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from converge_gateway.context import GatewayDep
from converge_gateway.federation.service import federation_status
from converge_gateway.portal.charts import availability_chart
from converge_gateway.portal.fair import fair_assessment
from converge_gateway.portal.render import Page, json_ld, snippet
from converge_gateway.portal.search import FILTERS, PAGE_SIZE, SORTS, search_params, search_view
from converge_gateway.records.representations import RecordAnswer
from converge_gateway.records.service import fetch_record
from converge_gateway.search.service import SearchRequest, federated_search

__all__ = ["router"]

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

MAX_PAGE_SIZE = 100
GLOBAL_ID = r"^[a-z0-9][a-z0-9-]{0,62}:[A-Za-z0-9][A-Za-z0-9._~-]{0,99}$"
_GLOBAL_ID = re.compile(GLOBAL_ID)


def problem_page(page: Page, error: ProblemError) -> HTMLResponse:
    """A problem the API would answer as JSON, as a page in the reader's language."""
    return page.render(
        "problem.html",
        {"status": error.status, "detail": error.detail, "errors": error.errors},
        status=error.status,
    )


@router.get("/")
async def search_page(request: Request, gateway: GatewayDep) -> HTMLResponse:
    page = Page(request)
    # the Nodes answer each title in the reader's language where the record has it
    params = [*search_params(page.params), ("lang", page.code)]
    try:
        search = SearchRequest.from_query(
            params, limit=page_size(params), max_limit=gateway.settings.page_size_max
        )
        answer = await federated_search(gateway, search)
    except ProblemError as error:
        return page.render(
            "search.html",
            {
                "view": search_view(gateway, page.params, {}, page.code),
                "error": error,
                "filters": FILTERS,
                "sorts": SORTS,
                "snippet": snippet,
            },
            status=error.status,
        )
    return page.render(
        "search.html",
        {
            "view": search_view(gateway, page.params, answer, page.code),
            "error": None,
            "filters": FILTERS,
            "sorts": SORTS,
            "snippet": snippet,
        },
    )


def page_size(params: list[tuple[str, str]]) -> int:
    """``limit`` from the URL (a shared link keeps its page size), else 20; at most 100."""
    given = next((v for k, v in params if k == "limit"), "")
    if not given.isdigit() or not 1 <= int(given) <= MAX_PAGE_SIZE:
        return PAGE_SIZE
    return int(given)


def _json(answer: RecordAnswer) -> Any:
    return json.loads(answer.body)


@router.get("/records/{global_id}")
async def record_page(
    request: Request,
    gateway: GatewayDep,
    global_id: Annotated[str, Path(max_length=170)],
) -> HTMLResponse:
    page = Page(request)
    if not _GLOBAL_ID.match(global_id):
        return page.render(
            "problem.html",
            {"status": 404, "detail": f"{global_id} is not a federation record id"},
            status=404,
        )
    path = request.url.path

    async def representation(media: str) -> RecordAnswer:
        return await fetch_record(gateway, global_id, accept=media, format_param=None, path=path)

    try:
        record_answer, linked_answer, fair = await asyncio.gather(
            representation("application/json"),
            representation("application/ld+json"),
            fair_assessment(gateway, global_id),
        )
    except ProblemError as error:
        return problem_page(page, error)
    if record_answer.status != 200:
        problem = _json(record_answer)
        return page.render(
            "problem.html",
            {"status": record_answer.status, "detail": problem.get("detail"), "id": global_id},
            status=record_answer.status,
        )
    record = _json(record_answer)
    title, title_lang = pick_text(record.get("title"), [page.code])
    description, description_lang = pick_text(record.get("description"), [page.code])
    node = next((n for n in gateway.directory.nodes if n.id == record.get("node")), None)
    return page.render(
        "record.html",
        {
            "record": record,
            "title": title,
            "title_lang": title_lang,
            "description": description,
            "description_lang": description_lang,
            "node": node,
            "json_ld": json_ld(_json(linked_answer)) if linked_answer.status == 200 else None,
            "api_url": f"/api/v1/records/{global_id}",
            "fair": fair,
        },
    )


@router.get("/federation")
async def federation_page(request: Request, gateway: GatewayDep) -> HTMLResponse:
    page = Page(request)
    status = await federation_status(gateway)
    changes = sorted(
        (
            {"node": node, "kind": service.kind, "change": change}
            for node in status.nodes
            for service in node.services
            for change in service.recent
        ),
        key=lambda entry: entry["change"].at,  # type: ignore[attr-defined]
        reverse=True,
    )[:20]
    charts = {
        node.id: availability_chart(node.services, labels=page.language, title=node.name)
        for node in status.nodes
        if node.services
    }
    return page.render("federation.html", {"status": status, "changes": changes, "charts": charts})

"""``/records/{id}`` (HTML landing page with Bioschemas JSON-LD) and ``/sitemap.xml``."""

from __future__ import annotations

from typing import Annotated

from converge_common.app import SessionDep
from converge_common.inputs import INT32_MAX
from converge_common.languages import LangQuery, reader_languages
from converge_common.openapi import problem_responses
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from converge_metadata.publishing.bioschemas import service
from converge_metadata.publishing.bioschemas.landing import LANDING_PAGE_POLICY
from converge_metadata.publishing.context import ContextDep
from converge_metadata.settings import MetadataSettings
from converge_metadata.usage.recorder import RecorderDep

__all__ = ["router"]

router = APIRouter(tags=["Landing pages"])


@router.get("/records/{record_id}", response_class=HTMLResponse)
async def get_landing_page(
    record_id: str,
    session: SessionDep,
    context: ContextDep,
    request: Request,
    recorder: RecorderDep,
    lang: LangQuery = None,
) -> HTMLResponse:
    """A published record for people, in the reader's language where the record has it,
    with embedded schema.org JSON-LD for crawlers."""
    languages = reader_languages(lang, request.headers.get("accept-language"))
    html, language = await service.landing_page(
        session, record_id, context=context, languages=languages
    )
    recorder.record(request, record_id=record_id, channel="landing")
    headers = {"Content-Security-Policy": LANDING_PAGE_POLICY, "Vary": "Accept-Language"}
    if language:
        headers["Content-Language"] = language
    return HTMLResponse(html, headers=headers)


@router.get(
    "/sitemap.xml",
    response_class=Response,
    responses={
        200: {"content": {"application/xml": {}}, "description": "Sitemap"},
        **problem_responses(404, _404="No sitemap page with this number"),
    },
)
async def get_sitemap(
    request: Request,
    session: SessionDep,
    context: ContextDep,
    page: Annotated[int | None, Query(ge=1, le=INT32_MAX)] = None,
) -> Response:
    """Landing pages with their last-modified dates, for TeSS and search engines."""
    settings: MetadataSettings = request.app.state.settings
    xml = await service.sitemap(
        session, context=context, page=page, size=settings.sitemap_page_size
    )
    return Response(xml.encode("utf-8"), media_type="application/xml")

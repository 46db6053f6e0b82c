"""``/oai``: the OAI-PMH 2.0 base URL, GET and POST (form-encoded)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

from converge_common.app import SessionDep
from converge_common.inputs import answers_bad_text_itself
from converge_common.oai import OAIError, parse_request
from fastapi import APIRouter, Request, Response

from converge_metadata.publishing.context import ContextDep
from converge_metadata.publishing.oai.envelope import error_response, response
from converge_metadata.publishing.oai.service import OAIService
from converge_metadata.publishing.oai.tokens import ResumptionTokens
from converge_metadata.settings import MetadataSettings
from converge_metadata.usage.recorder import RecorderDep, UsageRecorder

__all__ = ["router"]

router = APIRouter(tags=["OAI-PMH"])
_XML = "text/xml; charset=utf-8"
_DOC: dict[int | str, dict[str, Any]] = {
    "200": {"content": {"text/xml": {}}, "description": "An OAI-PMH 2.0 response"}
}


def _tokens(settings: MetadataSettings, now: datetime) -> ResumptionTokens:
    return ResumptionTokens(
        settings.secret_key.get_secret_value(),
        ttl=timedelta(seconds=settings.oai_token_ttl_s),
        now=now,
    )


async def _answer(
    request: Request,
    items: list[tuple[str, str]],
    session: SessionDep,
    context: ContextDep,
    recorder: UsageRecorder,
) -> Response:
    settings: MetadataSettings = request.app.state.settings
    now = datetime.now(UTC)
    arguments = dict(items)
    try:
        oai_request = parse_request(items)
        service = OAIService(
            session,
            context=context,
            tokens=_tokens(settings, now),
            page_size=settings.oai_page_size,
            now=now,
        )
        body = await service.respond(oai_request)
        xml = response(now=now, base_url=context.oai_url, arguments=arguments, body=body)
        if oai_request.verb == "GetRecord":
            local_id = context.local_id_of(oai_request.arguments["identifier"])
            if local_id:
                recorder.record(request, record_id=local_id, channel="oai")
    except OAIError as error:
        xml = error_response(now=now, base_url=context.oai_url, arguments=arguments, error=error)
    return Response(content=xml.encode("utf-8"), media_type=_XML)


@router.get("/oai", responses=_DOC, response_class=Response, summary="OAI-PMH 2.0 (GET)")
@answers_bad_text_itself
async def oai_get(
    request: Request, session: SessionDep, context: ContextDep, recorder: RecorderDep
) -> Response:
    items = list(request.query_params.multi_items())
    return await _answer(request, items, session, context, recorder)


@router.post("/oai", responses=_DOC, response_class=Response, summary="OAI-PMH 2.0 (POST)")
@answers_bad_text_itself
async def oai_post(
    request: Request, session: SessionDep, context: ContextDep, recorder: RecorderDep
) -> Response:
    body = (await request.body()).decode("utf-8", errors="replace")
    items = parse_qsl(body, keep_blank_values=True)
    return await _answer(request, items, session, context, recorder)

"""``/oai``: the federation's OAI-PMH 2.0 endpoint (GET and POST, as the protocol allows)."""

from __future__ import annotations

from converge_common.errors import ProblemError, ServiceUnavailable
from converge_common.inputs import answers_bad_text_itself
from fastapi import APIRouter, Request, Response

from converge_gateway.context import GatewayDep
from converge_gateway.oai.protocol import (
    OAIError,
    OAIRequest,
    envelope,
    error_document,
    parse_request,
    serialise,
)
from converge_gateway.oai.service import FederationRepository

__all__ = ["router"]

router = APIRouter(tags=["harvesting"])
XML = "text/xml; charset=utf-8"
RETRY_AFTER_S = 10
MAX_FORM_FIELDS = 20


def base_url(request: Request, public_url: str) -> str:
    if public_url:
        return public_url.rstrip("/") + "/oai"
    return str(request.url.replace(query=None))


async def _answer(request: Request, gateway: GatewayDep, items: list[tuple[str, str]]) -> Response:
    url = base_url(request, gateway.settings.public_url)
    parsed: OAIRequest | None = None
    try:
        parsed = parse_request(items)
        body = await FederationRepository(gateway, base_url=url).handle(parsed)
        document = envelope(url, parsed, body)
    except OAIError as error:
        document = error_document(url, parsed, error)
    except ProblemError as exc:
        if exc.status not in (502, 503, 504):
            raise
        # OAI-PMH flow control: the harvester repeats the same request later
        raise ServiceUnavailable(
            f"A Node is not answering now: {exc.detail}",
            headers={"Retry-After": str(RETRY_AFTER_S)},
        ) from exc
    return Response(serialise(document), media_type=XML)


@router.get("/oai", summary="OAI-PMH 2.0 over every Node's records", response_class=Response)
@answers_bad_text_itself
async def oai_get(request: Request, gateway: GatewayDep) -> Response:
    return await _answer(request, gateway, request.query_params.multi_items())


@router.post("/oai", summary="OAI-PMH 2.0 (form-encoded POST)", response_class=Response)
@answers_bad_text_itself
async def oai_post(request: Request, gateway: GatewayDep) -> Response:
    # an OAI-PMH request has at most four arguments besides the verb, and never a file
    form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
    items = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    return await _answer(request, gateway, items)

"""``/dcat/catalog``: the federation's catalogue of the Nodes' catalogues."""

from __future__ import annotations

from typing import Annotated

from converge_common.openapi import problem_responses
from fastapi import APIRouter, Header, Query, Request, Response

from converge_gateway.context import GatewayDep
from converge_gateway.dcat.service import MEDIA_TYPES, choose_media_type, federation_catalogue
from converge_gateway.fanout.single import NotAcceptable

__all__ = ["router"]

router = APIRouter(tags=["harvesting"])


@router.get(
    "/dcat/catalog",
    summary="DCAT catalogue of every Node's catalogue (Turtle, JSON-LD, RDF/XML)",
    response_class=Response,
    responses={
        200: {"content": {m: {} for m in MEDIA_TYPES}, "description": "RDF graph"},
        **problem_responses(406),
    },
)
async def catalogue(
    request: Request,
    gateway: GatewayDep,
    accept: Annotated[str | None, Header()] = None,
    format: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    media = choose_media_type(format_param=format, accept=accept)
    if media is None:
        raise NotAcceptable("Available: " + ", ".join(MEDIA_TYPES))
    base = gateway.settings.public_url.rstrip("/") or str(request.base_url).rstrip("/")
    body = federation_catalogue(gateway, self_url=f"{base}/dcat/catalog", media_type=media)
    return Response(body, media_type=media, headers={"Vary": "Accept"})

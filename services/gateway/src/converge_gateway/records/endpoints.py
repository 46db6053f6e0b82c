"""``GET /api/v1/records/{node}:{id}``: a record from its Node, content negotiated as there."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, Response

from converge_gateway.context import GatewayDep
from converge_gateway.records.representations import FORMAT_ALIASES, REPRESENTATIONS
from converge_gateway.records.service import fetch_record

__all__ = ["router"]

router = APIRouter(tags=["records"])

GLOBAL_ID = r"^[a-z0-9][a-z0-9-]{0,62}:[A-Za-z0-9][A-Za-z0-9._~-]{0,99}$"
_BODY: dict[str, Any] = {"content": {media: {} for media in REPRESENTATIONS}}


@router.get(
    "/records/{global_id}",
    summary="A record from its Node (JSON, JSON-LD, DataCite XML, DCAT RDF by Accept)",
    description="The representation is chosen by `format` (one of "
    + ", ".join(f"`{alias}`" for alias in FORMAT_ALIASES)
    + ") or by `Accept` ("
    + ", ".join(f"`{media}`" for media in REPRESENTATIONS)
    + "). The Node is asked for exactly that one, and its answer is checked (well-formed, "
    "the asked type, the record's shape) before it is passed on; anything else is the "
    "Node's error (502).",
    response_class=Response,
    responses={
        200: {"description": "The record as its Node serves it", **_BODY},
        404: {"description": "No such Node or record"},
        406: {"description": "None of the representations is acceptable"},
        410: {"description": "Deleted: the Node's tombstone"},
        502: {"description": "The Node failed, or answered with something not asked for"},
        503: {"description": "The Node is not being called now"},
        504: {"description": "The Node did not answer in time"},
    },
)
async def read_record(
    request: Request,
    gateway: GatewayDep,
    global_id: Annotated[str, Path(pattern=GLOBAL_ID, examples=["de:abc123"])],
    accept: Annotated[str | None, Header(max_length=1000)] = None,
    format: Annotated[str | None, Query(max_length=60)] = None,
) -> Response:
    answer = await fetch_record(
        gateway, global_id, accept=accept, format_param=format, path=request.url.path
    )
    return Response(
        answer.body,
        status_code=answer.status,
        media_type=answer.media_type,
        headers=answer.headers,
    )

"""``GET /api/v1/records/{node}:{id}``: a record from its Node, content negotiated as there."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response

from converge_gateway.context import GatewayDep
from converge_gateway.records.service import PASSED_HEADERS, fetch_record

__all__ = ["router"]

router = APIRouter(tags=["records"])

GLOBAL_ID = r"^[a-z0-9][a-z0-9-]{0,62}:[A-Za-z0-9][A-Za-z0-9._~-]{0,99}$"


@router.get(
    "/records/{global_id}",
    summary="A record from its Node (JSON, JSON-LD, DataCite XML, DCAT RDF by Accept)",
    response_class=Response,
    responses={
        200: {"description": "The record as its Node serves it"},
        404: {"description": "No such Node or record"},
        410: {"description": "Deleted: the Node's tombstone"},
        502: {"description": "The Node failed"},
        503: {"description": "The Node is not being called now"},
        504: {"description": "The Node did not answer in time"},
    },
)
async def read_record(
    gateway: GatewayDep,
    global_id: Annotated[str, Path(pattern=GLOBAL_ID, examples=["de:abc123"])],
    accept: Annotated[str | None, Header()] = None,
    format: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    answer = await fetch_record(gateway, global_id, accept=accept, format_param=format)
    headers = {k: v for k, v in answer.headers.items() if k.lower() in PASSED_HEADERS}
    return Response(answer.content, status_code=answer.status_code, headers=headers)

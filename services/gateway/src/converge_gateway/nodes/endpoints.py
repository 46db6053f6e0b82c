"""``GET /api/v1/nodes``: the Nodes the gateway knows, and how it sees each one."""

from __future__ import annotations

from fastapi import APIRouter

from converge_gateway.context import GatewayDep
from converge_gateway.nodes.schemas import DirectoryRead
from converge_gateway.nodes.service import read_directory

__all__ = ["router"]

router = APIRouter(tags=["nodes"])


@router.get(
    "/nodes",
    response_model=DirectoryRead,
    summary="The Nodes the gateway searches, their state and circuit breaker",
)
async def list_nodes(gateway: GatewayDep) -> DirectoryRead:
    return read_directory(gateway)

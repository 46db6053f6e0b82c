"""``GET /api/v1/federation``: every Node's services, their availability and latest changes."""

from __future__ import annotations

from fastapi import APIRouter

from converge_gateway.context import GatewayDep
from converge_gateway.federation.schemas import FederationStatus
from converge_gateway.federation.service import federation_status

__all__ = ["router"]

router = APIRouter(tags=["nodes"])


@router.get(
    "/federation",
    response_model=FederationStatus,
    summary="Every Node's services with their availability (24 h, 7 d, 30 d) and latest "
    "state changes, as the registry observed them",
)
async def read_federation(gateway: GatewayDep) -> FederationStatus:
    return await federation_status(gateway)

"""``POST /api/v1/ping`` (FAIR Data Point style) and the admin's list of pending pings."""

from __future__ import annotations

from typing import Annotated, Literal

from converge_common.app import SessionDep
from converge_common.auth import OptionalPrincipal, RequireFederationAdmin
from converge_common.ratelimit import anonymous_address, rate_limit
from fastapi import APIRouter, Query, Request, Response, status

from converge_registry.pings import service
from converge_registry.pings.schemas import PingCreate, PingRead

__all__ = ["router"]

router = APIRouter(tags=["pings"])

# anonymous pings per client address; an authenticated Node is not limited
PingRateLimited = rate_limit(
    "ping",
    rules=lambda settings: f"{settings.ping_rate_per_hour} per hour",
    key=anonymous_address,
    detail="Too many pings from this client; authenticate or try later",
)


@router.post(
    "/ping",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="A FAIR Data Point announces itself; held pending for a federation admin",
    responses={
        429: {
            "description": "Too many anonymous pings from this client",
            "content": {"application/problem+json": {}},
        }
    },
    dependencies=[PingRateLimited],
)
async def ping(
    body: PingCreate, request: Request, session: SessionDep, principal: OptionalPrincipal
) -> Response:
    if principal is not None:
        caller = principal.client_id or principal.subject
    else:
        caller = request.client.host if request.client else "unknown"
    await service.record_ping(
        session,
        body.client_url,
        caller=caller,
        authenticated=principal is not None,
        settings=request.app.state.settings,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/pings", response_model=list[PingRead], summary="Pings received (federation admin)")
async def list_pings(
    session: SessionDep,
    _admin: RequireFederationAdmin,
    status_: Annotated[
        Literal["pending", "accepted", "rejected"] | None, Query(alias="status")
    ] = None,
) -> list[PingRead]:
    return [PingRead.model_validate(p) for p in await service.list_pings(session, status=status_)]

"""A Node's own service registration, heartbeats and leaving; public reads of states."""

from __future__ import annotations

from typing import Annotated

from converge_common.app import SessionDep
from converge_common.auth import CurrentPrincipal
from converge_common.db import utcnow
from converge_common.pagination import Page
from fastapi import APIRouter, Path, Query, Request, Response, status

from converge_registry.authz import require_acts_for
from converge_registry.instances import service
from converge_registry.instances.schemas import (
    ServiceDetail,
    ServiceKind,
    ServiceRead,
    ServiceRegistration,
    ServiceState,
    TransitionRead,
)
from converge_registry.nodes import service as nodes
from converge_registry.nodes.schemas import NODE_ID
from converge_registry.paging import Cursor, Limit, Sort, codec, page_request

__all__ = ["router"]

router = APIRouter(tags=["services"])
NodeId = Annotated[str, Path(pattern=NODE_ID)]
SERVICE = "/nodes/{node_id}/services/{kind}"


def _wake_prober(request: Request) -> None:
    prober = getattr(request.app.state, "prober", None)
    if prober is not None:
        prober.wake()


@router.put(
    SERVICE,
    response_model=ServiceRead,
    summary="Register (or update) this Node's service: idempotent, counts as a heartbeat",
    responses={201: {"description": "Registered for the first time"}},
)
async def register_service(
    node_id: NodeId,
    kind: ServiceKind,
    body: ServiceRegistration,
    request: Request,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> ServiceRead:
    node = await nodes.get_node(session, node_id)
    require_acts_for(principal, node)
    instance, created = await service.register(
        session, node, kind, body, settings=request.app.state.settings, now=utcnow()
    )
    if created:
        response.status_code = status.HTTP_201_CREATED
        response.headers["Location"] = f"/api/v1/nodes/{node_id}/services/{kind}"
    _wake_prober(request)
    return service.to_read(instance)


@router.post(
    SERVICE + "/heartbeat",
    response_model=ServiceRead,
    summary="The service is alive",
)
async def heartbeat(
    node_id: NodeId,
    kind: ServiceKind,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> ServiceRead:
    node = await nodes.get_node(session, node_id)
    require_acts_for(principal, node)
    instance = await service.heartbeat(
        session, node, kind, settings=request.app.state.settings, now=utcnow()
    )
    if instance.next_probe_at is not None and instance.next_probe_at <= utcnow():
        _wake_prober(request)
    return service.to_read(instance)


@router.delete(
    SERVICE,
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Leave: the service is retired (its history is kept)",
)
async def deregister(
    node_id: NodeId, kind: ServiceKind, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    node = await nodes.get_node(session, node_id)
    require_acts_for(principal, node)
    await service.retire(session, node, kind, now=utcnow())
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    SERVICE,
    response_model=ServiceDetail,
    summary="One service with its availability over 24 h, 7 d and 30 d",
)
async def get_service(node_id: NodeId, kind: ServiceKind, session: SessionDep) -> ServiceDetail:
    return await service.detail(session, node_id, kind, now=utcnow())


@router.get(
    SERVICE + "/history",
    response_model=Page[TransitionRead],
    summary="Every state transition of one service",
)
async def get_history(
    node_id: NodeId,
    kind: ServiceKind,
    request: Request,
    session: SessionDep,
    limit: Limit = None,
    cursor: Cursor = None,
    sort: Sort = None,
) -> Page[TransitionRead]:
    page = page_request(
        request, limit=limit, cursor=cursor, sort=sort, allowed=["at"], default_sort="-at"
    )
    rows, next_cursor = await service.history(
        session, node_id, kind, page=page, codec=codec(request)
    )
    return Page[TransitionRead](
        items=[TransitionRead.model_validate(r) for r in rows],
        next_cursor=next_cursor,
        limit=page.limit,
    )


@router.get(
    "/services",
    response_model=Page[ServiceRead],
    summary="Services of accepted Nodes with their states (retired ones only when asked)",
)
async def list_services(
    request: Request,
    session: SessionDep,
    kind: ServiceKind | None = None,
    node: Annotated[str | None, Query(pattern=NODE_ID)] = None,
    state: Annotated[list[ServiceState] | None, Query()] = None,
    limit: Limit = None,
    cursor: Cursor = None,
    sort: Sort = None,
) -> Page[ServiceRead]:
    page = page_request(
        request, limit=limit, cursor=cursor, sort=sort, allowed=["id"], default_sort="id"
    )
    rows, next_cursor = await service.list_services(
        session, page=page, codec=codec(request), kind=kind, node_id=node, states=state or []
    )
    return Page[ServiceRead](
        items=[service.to_read(r) for r in rows], next_cursor=next_cursor, limit=page.limit
    )

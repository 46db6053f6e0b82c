"""``/api/v1/nodes``: admitting Nodes (federation admin) and reading them (public)."""

from __future__ import annotations

from typing import Annotated

from converge_common.app import SessionDep
from converge_common.auth import OptionalPrincipal, RequireFederationAdmin
from converge_common.pagination import Page
from fastapi import APIRouter, Path, Query, Request, Response, status

from converge_registry.authz import acts_for
from converge_registry.instances import service as instances
from converge_registry.instances.schemas import ServiceRead
from converge_registry.nodes import service
from converge_registry.nodes.schemas import (
    COUNTRY,
    NODE_ID,
    NodeAdmin,
    NodeCreate,
    NodeRead,
    NodeStatus,
    NodeUpdate,
)
from converge_registry.paging import Cursor, Limit, Sort, codec, page_request

__all__ = ["router"]

router = APIRouter(tags=["nodes"])
NodeId = Annotated[str, Path(pattern=NODE_ID)]


class NodeDetail(NodeAdmin):
    """A Node with its services; ``client_ids``/``entitlements`` only for those acting for it."""

    client_ids: list[str] | None = None  # type: ignore[assignment]
    entitlements: list[str] | None = None  # type: ignore[assignment]
    services: list[ServiceRead]


@router.post(
    "/nodes",
    status_code=status.HTTP_201_CREATED,
    response_model=NodeAdmin,
    summary="Admit a Node and bind the client ids or entitlements that act for it",
)
async def admit_node(
    body: NodeCreate, session: SessionDep, _admin: RequireFederationAdmin, response: Response
) -> NodeAdmin:
    node = await service.admit_node(session, body)
    response.headers["Location"] = f"/api/v1/nodes/{node.id}"
    return NodeAdmin.model_validate(node)


@router.patch(
    "/nodes/{node_id}",
    response_model=NodeAdmin,
    summary="Change a Node: details, status (accept, suspend), bindings",
)
async def update_node(
    node_id: NodeId, body: NodeUpdate, session: SessionDep, _admin: RequireFederationAdmin
) -> NodeAdmin:
    return NodeAdmin.model_validate(await service.update_node(session, node_id, body))


@router.get("/nodes", response_model=Page[NodeRead], summary="The federation's Nodes")
async def list_nodes(
    request: Request,
    session: SessionDep,
    status_: Annotated[NodeStatus | None, Query(alias="status")] = None,
    country: Annotated[str | None, Query(pattern=COUNTRY)] = None,
    limit: Limit = None,
    cursor: Cursor = None,
    sort: Sort = None,
) -> Page[NodeRead]:
    page = page_request(
        request, limit=limit, cursor=cursor, sort=sort, allowed=["id", "name"], default_sort="id"
    )
    rows, next_cursor = await service.list_nodes(
        session, page=page, codec=codec(request), status=status_, country=country
    )
    return Page[NodeRead](
        items=[NodeRead.model_validate(n) for n in rows], next_cursor=next_cursor, limit=page.limit
    )


@router.get("/nodes/{node_id}", response_model=NodeDetail, summary="A Node and its services")
async def get_node(
    node_id: NodeId, session: SessionDep, principal: OptionalPrincipal
) -> NodeDetail:
    node = await service.get_node(session, node_id)
    services = await instances.services_of_node(session, node_id)
    detail = NodeDetail(
        **NodeRead.model_validate(node).model_dump(),
        services=[instances.to_read(s) for s in services],
    )
    if principal is not None and acts_for(principal, node):
        detail.client_ids = list(node.client_ids)
        detail.entitlements = list(node.entitlements)
    return detail

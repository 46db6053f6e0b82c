"""Admitting, changing and listing Nodes."""

from __future__ import annotations

from typing import Any

from converge_common.db import utcnow
from converge_common.pagination import KeysetCursor, PageRequest, SortField, keyset_page
from converge_common.tokens import SignedToken
from sqlalchemy.ext.asyncio import AsyncSession

from converge_registry.changes.service import record_change
from converge_registry.models import Node
from converge_registry.nodes import repository
from converge_registry.nodes.exceptions import NodeExists, NodeNotFound
from converge_registry.nodes.schemas import NodeCreate, NodeUpdate

__all__ = ["SORT_FIELDS", "admit_node", "get_node", "list_nodes", "update_node"]

SORT_FIELDS = [SortField("id", Node.id), SortField("name", Node.name)]


def _public(node: Node) -> dict[str, Any]:
    return {"name": node.name, "country": node.country, "status": node.status}


async def get_node(session: AsyncSession, node_id: str) -> Node:
    node = await repository.get_node(session, node_id)
    if node is None:
        raise NodeNotFound(node_id)
    return node


async def admit_node(session: AsyncSession, data: NodeCreate) -> Node:
    if await repository.get_node(session, data.id) is not None:
        raise NodeExists(data.id)
    now = utcnow()
    node = Node(
        id=data.id,
        name=data.name,
        country=data.country,
        website=str(data.website) if data.website else None,
        contact=data.contact,
        status=data.status,
        client_ids=sorted(set(data.client_ids)),
        entitlements=sorted(set(data.entitlements)),
        created_at=now,
        updated_at=now,
    )
    session.add(node)
    await session.flush()
    await record_change(session, type="node.admitted", node_id=node.id, data=_public(node))
    return node


async def update_node(session: AsyncSession, node_id: str, data: NodeUpdate) -> Node:
    node = await get_node(session, node_id)
    changes = data.model_dump(exclude_unset=True)
    for name, value in changes.items():
        if name in ("client_ids", "entitlements"):
            value = sorted(set(value or []))
        elif name == "website":
            value = str(value) if value else None
        elif value is None and name in ("name", "country", "status"):
            continue
        setattr(node, name, value)
    node.updated_at = utcnow()
    await session.flush()
    await record_change(
        session,
        type="node.updated",
        node_id=node.id,
        data={**_public(node), "fields": sorted(changes)},
    )
    return node


async def list_nodes(
    session: AsyncSession,
    *,
    page: PageRequest,
    codec: SignedToken[KeysetCursor],
    status: str | None,
    country: str | None,
) -> tuple[list[Node], str | None]:
    stmt = repository.nodes_query(status=status, country=country)
    return await keyset_page(
        session, stmt, request=page, sort_fields=SORT_FIELDS, tiebreak=Node.id, codec=codec
    )


async def ensure_bootstrap_nodes(session: AsyncSession, nodes: list[NodeCreate]) -> None:
    """Admit configured Nodes that are not there yet (never overwrites an operator's edits)."""
    for data in nodes:
        if await repository.get_node(session, data.id) is None:
            await admit_node(session, data)

"""SQL of Nodes."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from converge_registry.models import Node

__all__ = ["get_node", "nodes_query"]


async def get_node(session: AsyncSession, node_id: str) -> Node | None:
    return await session.get(Node, node_id)


def nodes_query(*, status: str | None, country: str | None) -> Select[Node]:
    stmt = select(Node)
    if status:
        stmt = stmt.where(Node.status == status)
    if country:
        stmt = stmt.where(Node.country == country)
    return stmt

"""SQL of service instances."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from converge_registry.models import Node, ServiceInstance, StateTransition

__all__ = ["get_instance", "instances_of_node", "instances_query", "transitions_query"]


async def get_instance(session: AsyncSession, node_id: str, kind: str) -> ServiceInstance | None:
    stmt = select(ServiceInstance).where(
        ServiceInstance.node_id == node_id, ServiceInstance.kind == kind
    )
    return await session.scalar(stmt)


async def instances_of_node(session: AsyncSession, node_id: str) -> Sequence[ServiceInstance]:
    stmt = (
        select(ServiceInstance)
        .where(ServiceInstance.node_id == node_id, ServiceInstance.state != "retired")
        .order_by(ServiceInstance.kind)
    )
    return (await session.scalars(stmt)).all()


def instances_query(
    *, kind: str | None, node_id: str | None, states: Sequence[str]
) -> Select[ServiceInstance]:
    # only services of accepted Nodes are the federation's; a suspended Node's are hidden
    stmt = (
        select(ServiceInstance)
        .join(Node, Node.id == ServiceInstance.node_id)
        .where(Node.status == "accepted")
    )
    if kind:
        stmt = stmt.where(ServiceInstance.kind == kind)
    if node_id:
        stmt = stmt.where(ServiceInstance.node_id == node_id)
    if states:
        stmt = stmt.where(ServiceInstance.state.in_(states))
    return stmt


def transitions_query(service_id: int) -> Select[StateTransition]:
    return select(StateTransition).where(StateTransition.service_id == service_id)

"""SQL of probing and history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from converge_registry.models import ServiceInstance, StateTransition

__all__ = [
    "due_services",
    "earliest_due",
    "services_by_ids",
    "stale_services",
    "transitions_between",
]

WATCHED = ("unknown", "active", "degraded", "unreachable")


async def due_services(
    session: AsyncSession, *, now: datetime | None, limit: int
) -> Sequence[tuple[int, str]]:
    """Ids and base URLs due for a probe (all watched ones when ``now`` is None)."""
    stmt = select(ServiceInstance.id, ServiceInstance.base_url).where(
        ServiceInstance.state.in_(WATCHED)
    )
    if now is not None:
        stmt = stmt.where(ServiceInstance.next_probe_at <= now)
    stmt = stmt.order_by(ServiceInstance.next_probe_at, ServiceInstance.id).limit(limit)
    return [(row[0], row[1]) for row in (await session.execute(stmt)).all()]


async def earliest_due(session: AsyncSession) -> datetime | None:
    stmt = select(func.min(ServiceInstance.next_probe_at)).where(ServiceInstance.state.in_(WATCHED))
    return await session.scalar(stmt)


async def services_by_ids(session: AsyncSession, ids: Sequence[int]) -> Sequence[ServiceInstance]:
    stmt = select(ServiceInstance).where(ServiceInstance.id.in_(ids))
    return (await session.scalars(stmt)).all()


async def stale_services(
    session: AsyncSession, *, seen_before: datetime
) -> Sequence[ServiceInstance]:
    stmt = select(ServiceInstance).where(
        ServiceInstance.state.in_(("active", "degraded")),
        ServiceInstance.last_seen_at < seen_before,
    )
    return (await session.scalars(stmt)).all()


async def transitions_between(
    session: AsyncSession, service_id: int, *, start: datetime, end: datetime
) -> tuple[StateTransition | None, Sequence[StateTransition]]:
    """The last transition before ``start`` and every one in [start, end)."""
    before = await session.scalar(
        select(StateTransition)
        .where(StateTransition.service_id == service_id, StateTransition.at < start)
        .order_by(StateTransition.at.desc(), StateTransition.id.desc())
        .limit(1)
    )
    within = (
        await session.scalars(
            select(StateTransition)
            .where(
                StateTransition.service_id == service_id,
                StateTransition.at >= start,
                StateTransition.at < end,
            )
            .order_by(StateTransition.at, StateTransition.id)
        )
    ).all()
    return before, within

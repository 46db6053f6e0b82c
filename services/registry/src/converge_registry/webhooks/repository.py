"""SQL of webhook subscriptions."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from converge_registry.models import WebhookSubscription

__all__ = ["active_subscriptions", "all_subscriptions", "get_subscription"]


async def get_subscription(session: AsyncSession, sub_id: str) -> WebhookSubscription | None:
    return await session.get(WebhookSubscription, sub_id)


async def active_subscriptions(session: AsyncSession) -> Sequence[WebhookSubscription]:
    stmt = select(WebhookSubscription).where(WebhookSubscription.active.is_(True))
    return (await session.scalars(stmt.order_by(WebhookSubscription.created_at))).all()


async def all_subscriptions(session: AsyncSession) -> Sequence[WebhookSubscription]:
    stmt = select(WebhookSubscription).order_by(WebhookSubscription.created_at)
    return (await session.scalars(stmt)).all()

"""Managing webhook subscriptions (federation admin)."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence

from converge_common.db import utcnow
from converge_common.errors import FieldError, InvalidInput, NotFound
from converge_common.ssrf import UnsafeURL, check_url
from sqlalchemy.ext.asyncio import AsyncSession

from converge_registry.changes import repository as changes
from converge_registry.models import WebhookSubscription
from converge_registry.settings import RegistrySettings
from converge_registry.webhooks import repository
from converge_registry.webhooks.schemas import WebhookCreate

__all__ = ["create_subscription", "delete_subscription", "list_subscriptions"]


async def create_subscription(
    session: AsyncSession, data: WebhookCreate, *, settings: RegistrySettings
) -> WebhookSubscription:
    try:
        await check_url(data.url, allow_private=settings.allow_private_targets)
    except UnsafeURL as exc:
        raise InvalidInput(
            f"url is refused: {exc}", errors=[FieldError("/url", "allowed_target", str(exc))]
        ) from exc
    start = data.since if data.since is not None else await changes.last_seq(session)
    subscription = WebhookSubscription(
        id=str(uuid.uuid4()),
        url=data.url,
        secret=data.secret or secrets.token_urlsafe(32),
        description=data.description,
        active=True,
        delivered_seq=start,
        failures=0,
        created_at=utcnow(),
    )
    session.add(subscription)
    await session.flush()
    return subscription


async def list_subscriptions(session: AsyncSession) -> Sequence[WebhookSubscription]:
    return await repository.all_subscriptions(session)


async def delete_subscription(session: AsyncSession, sub_id: str) -> None:
    subscription = await repository.get_subscription(session, sub_id)
    if subscription is None:
        raise NotFound(f"No webhook subscription {sub_id!r}")
    await session.delete(subscription)

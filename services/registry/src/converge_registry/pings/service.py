"""Accepting pings: URL checked like any registration, then held pending."""

from __future__ import annotations

from collections.abc import Sequence

from converge_common.db import utcnow
from converge_common.errors import FieldError, InvalidInput
from converge_common.ssrf import UnsafeURL, check_url
from sqlalchemy.ext.asyncio import AsyncSession

from converge_registry.models import FdpPing
from converge_registry.pings import repository
from converge_registry.settings import RegistrySettings

__all__ = ["list_pings", "record_ping"]


async def record_ping(
    session: AsyncSession,
    url: str,
    *,
    caller: str,
    authenticated: bool,
    settings: RegistrySettings,
) -> FdpPing:
    try:
        await check_url(url, allow_private=settings.allow_private_targets)
    except UnsafeURL as exc:
        raise InvalidInput(
            f"clientUrl is refused: {exc}",
            errors=[FieldError("/clientUrl", "allowed_target", str(exc))],
        ) from exc
    now = utcnow()
    ping = await repository.get_by_url(session, url)
    if ping is None:
        ping = FdpPing(
            client_url=url,
            caller=caller[:200],
            authenticated=authenticated,
            status="pending",
            pings=1,
            first_seen_at=now,
            last_seen_at=now,
        )
        session.add(ping)
    else:
        ping.pings += 1
        ping.last_seen_at = now
        ping.authenticated = ping.authenticated or authenticated
    await session.flush()
    return ping


async def list_pings(session: AsyncSession, *, status: str | None) -> Sequence[FdpPing]:
    return await repository.list_pings(session, status=status)

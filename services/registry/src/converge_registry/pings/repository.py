"""SQL of pings."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from converge_registry.models import FdpPing

__all__ = ["get_by_url", "list_pings"]


async def get_by_url(session: AsyncSession, url: str) -> FdpPing | None:
    return await session.scalar(select(FdpPing).where(FdpPing.client_url == url))


async def list_pings(session: AsyncSession, *, status: str | None) -> Sequence[FdpPing]:
    stmt = select(FdpPing).order_by(FdpPing.last_seen_at.desc()).limit(1000)
    if status:
        stmt = stmt.where(FdpPing.status == status)
    return (await session.scalars(stmt)).all()

"""SQL of indicators."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from converge_impact.models import Indicator

__all__ = ["add", "by_code", "by_codes", "list_indicators"]


async def list_indicators(
    session: AsyncSession,
    *,
    pathway: str | None = None,
    source: str | None = None,
    scope: str | None = None,
) -> Sequence[Indicator]:
    stmt = select(Indicator)
    if pathway:
        stmt = stmt.where(Indicator.pathway == pathway)
    if source:
        stmt = stmt.where(Indicator.source == source)
    if scope:
        stmt = stmt.where(Indicator.scope == scope)
    return (await session.scalars(stmt.order_by(Indicator.pathway, Indicator.code))).all()


async def by_code(session: AsyncSession, code: str) -> Indicator | None:
    return await session.scalar(select(Indicator).where(Indicator.code == code))


async def by_codes(session: AsyncSession) -> dict[str, Indicator]:
    return {i.code: i for i in await session.scalars(select(Indicator))}


def add(session: AsyncSession, indicator: Indicator) -> None:
    session.add(indicator)

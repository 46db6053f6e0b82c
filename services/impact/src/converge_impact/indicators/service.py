"""Rules of the indicator catalogue: the federation's entries are read-only at a Node."""

from __future__ import annotations

from collections.abc import Sequence

from converge_common.db import utcnow
from converge_common.errors import Conflict, Forbidden, NotFound
from sqlalchemy.ext.asyncio import AsyncSession

from converge_impact.indicators import repository
from converge_impact.indicators.schemas import IndicatorCreate, IndicatorUpdate
from converge_impact.models import Indicator

__all__ = ["create", "get", "list_all", "update"]


async def list_all(
    session: AsyncSession,
    *,
    pathway: str | None = None,
    source: str | None = None,
    scope: str | None = None,
) -> Sequence[Indicator]:
    return await repository.list_indicators(session, pathway=pathway, source=source, scope=scope)


async def get(session: AsyncSession, code: str) -> Indicator:
    indicator = await repository.by_code(session, code)
    if indicator is None:
        raise NotFound(f"No indicator {code!r}")
    return indicator


async def create(session: AsyncSession, body: IndicatorCreate) -> Indicator:
    if await repository.by_code(session, body.code) is not None:
        raise Conflict(f"An indicator {body.code!r} already exists", code=body.code)
    now = utcnow()
    indicator = Indicator(
        **body.model_dump(),
        source="reported",
        derivation=None,
        scope="node",
        created_at=now,
        updated_at=now,
    )
    repository.add(session, indicator)
    await session.flush()
    return indicator


async def update(session: AsyncSession, code: str, body: IndicatorUpdate) -> Indicator:
    indicator = await get(session, code)
    if indicator.scope != "node":
        raise Forbidden(
            f"{code!r} belongs to the federation's catalogue; a Node changes only its own"
        )
    for key, value in body.model_dump().items():
        setattr(indicator, key, value)
    indicator.updated_at = utcnow()
    return indicator

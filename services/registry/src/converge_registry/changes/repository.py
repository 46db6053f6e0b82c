"""SQL of the change feed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from converge_common.db import utcnow
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from converge_registry.models import Change

__all__ = ["add_change", "changes_after", "last_seq"]

# any constant: serialises writers of the feed on PostgreSQL until they commit
_FEED_LOCK = 7_412_003


async def add_change(
    session: AsyncSession, *, type: str, node_id: str, kind: str | None, data: dict[str, Any]
) -> Change:
    if session.get_bind().dialect.name == "postgresql":
        # sequence numbers must become visible in order, or a reader past seq n would miss
        # a lower seq committed later; SQLite serialises writers by itself
        await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _FEED_LOCK})
    change = Change(type=type, node_id=node_id, kind=kind, data=data, at=utcnow())
    session.add(change)
    await session.flush()
    return change


async def changes_after(session: AsyncSession, seq: int, *, limit: int) -> Sequence[Change]:
    stmt = select(Change).where(Change.seq > seq).order_by(Change.seq).limit(limit)
    return (await session.scalars(stmt)).all()


async def last_seq(session: AsyncSession) -> int:
    return int((await session.scalar(select(func.max(Change.seq)))) or 0)

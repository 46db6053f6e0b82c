"""Writing to and reading the change feed."""

from __future__ import annotations

import time
from typing import Any

from converge_common.db import Database
from sqlalchemy.ext.asyncio import AsyncSession

from converge_registry.changes import repository
from converge_registry.changes.notifier import ChangeNotifier, mark_changes_pending
from converge_registry.changes.schemas import ChangeFeed, ChangeRead

__all__ = ["read_feed", "record_change"]


async def record_change(
    session: AsyncSession,
    *,
    type: str,
    node_id: str,
    kind: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Append to the feed; waiters wake when the caller's unit of work commits."""
    await repository.add_change(session, type=type, node_id=node_id, kind=kind, data=data or {})
    mark_changes_pending(session.sync_session)


async def _read(db: Database, since: int, limit: int) -> ChangeFeed:
    async with db.sessionmaker() as session:
        rows = await repository.changes_after(session, since, limit=limit)
        last = rows[-1].seq if rows else max(since, 0)
        if not rows and since < 0:
            last = await repository.last_seq(session)
        return ChangeFeed(items=[ChangeRead.model_validate(r) for r in rows], last_seq=last)


async def read_feed(
    db: Database, notifier: ChangeNotifier, *, since: int, wait_s: float, limit: int
) -> ChangeFeed:
    """Changes after ``since``; with ``wait_s`` > 0, waits that long for the first one.

    ``since=-1`` answers at once with the current position (a new subscriber's start).
    Each look opens its own short session, so a waiting poll holds no connection.
    """
    deadline = time.monotonic() + wait_s
    while True:
        wake = notifier.current()
        feed = await _read(db, since, limit)
        remaining = deadline - time.monotonic()
        if feed.items or since < 0 or remaining <= 0:
            return feed
        await notifier.wait(wake, remaining)

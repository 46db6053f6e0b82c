"""Every query on import jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from converge_metadata.models import ImportJob

__all__ = [
    "fail_stale_jobs",
    "get_job",
    "jobs_query",
    "live_job_ids",
    "recent_jobs",
    "update_job",
]

LIVE = ("queued", "running")


async def get_job(session: AsyncSession, job_id: str) -> ImportJob | None:
    return await session.get(ImportJob, job_id)


def jobs_query() -> Select[Any]:
    """Every job; paged by the caller with ``keyset_page``."""
    return select(ImportJob)


async def recent_jobs(session: AsyncSession, *, limit: int) -> list[ImportJob]:
    stmt = select(ImportJob).order_by(ImportJob.created_at.desc(), ImportJob.id).limit(limit)
    return list((await session.scalars(stmt)).all())


async def live_job_ids(session: AsyncSession, *, heartbeat_after: datetime) -> set[str]:
    """Jobs queued or running whose process still shows signs of life."""
    rows = await session.scalars(
        select(ImportJob.id).where(
            ImportJob.status.in_(LIVE), ImportJob.heartbeat_at > heartbeat_after
        )
    )
    return set(rows.all())


async def update_job(session: AsyncSession, job_id: str, values: dict[str, Any]) -> None:
    await session.execute(
        update(ImportJob)
        .where(ImportJob.id == job_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


async def fail_stale_jobs(
    session: AsyncSession, *, heartbeat_before: datetime, now: datetime, error: str
) -> int:
    """Mark jobs failed whose process stopped touching them (it ended, e.g. on a restart)."""
    result = await session.execute(
        update(ImportJob)
        .where(ImportJob.status.in_(LIVE), ImportJob.heartbeat_at <= heartbeat_before)
        .values(status="failed", error=error, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)

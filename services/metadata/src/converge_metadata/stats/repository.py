"""SQL of the catalogue's aggregate counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from converge_metadata.models import Record

__all__ = ["course_documents", "published_rows"]


def _published() -> Any:
    return (Record.status == "published") & Record.deleted_at.is_(None)


async def published_rows(
    session: AsyncSession,
) -> Sequence[tuple[str, str, date | None, datetime | None]]:
    """Type, stored access level, embargo end and first publication of every published record."""
    stmt = select(
        Record.type, Record.access_level, Record.embargo_until, Record.published_at
    ).where(_published())
    return [(t, a, e, p) for t, a, e, p in (await session.execute(stmt)).all()]


async def course_documents(session: AsyncSession) -> Sequence[dict[str, Any]]:
    stmt = select(Record.document).where(_published(), Record.type == "CourseInstance")
    return list((await session.scalars(stmt)).all())

"""Counts by type x access level x month of publication, and courses by start month."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from converge_metadata.records.schemas import CoursePart
from converge_metadata.stats import repository
from converge_metadata.stats.schemas import CatalogueStats, CourseMonth, RecordCount

__all__ = ["catalogue_stats"]


def _month(value: date) -> str:
    return f"{value.year:04d}-{value.month:02d}"


async def catalogue_stats(session: AsyncSession, *, node: str) -> CatalogueStats:
    now = datetime.now(UTC)
    today = now.date()
    counts: Counter[tuple[str, str, str]] = Counter()
    for kind, level, embargo_until, published_at in await repository.published_rows(session):
        if level == "embargoed" and embargo_until is not None and embargo_until <= today:
            level = "public"
        month = _month(published_at or now)
        counts[(kind, level, month)] += 1
    events: Counter[str] = Counter()
    participants: Counter[str] = Counter()
    recorded: Counter[str] = Counter()
    for document in await repository.course_documents(session):
        if not document.get("course"):
            continue
        course = CoursePart.model_validate(document["course"])
        start = course.start_date
        month = _month(start.date() if isinstance(start, datetime) else start)
        events[month] += 1
        if course.participants is not None:
            participants[month] += course.participants
            recorded[month] += 1
    return CatalogueStats(
        node=node,
        generated_at=now,
        records=[
            RecordCount(type=k, access_level=a, month=m, count=c)
            for (k, a, m), c in sorted(counts.items())
        ],
        courses=[
            CourseMonth(
                month=m,
                events=events[m],
                participants=participants[m],
                with_participants=recorded[m],
            )
            for m in sorted(events)
        ],
    )

"""FAIR assessment of one record and the distribution across the catalogue."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from converge_common.errors import NotFound
from sqlalchemy.ext.asyncio import AsyncSession

from converge_metadata.publishing import repository
from converge_metadata.publishing.context import PublicationContext
from converge_metadata.publishing.fair.metrics import METRICS, PublicationFacts, assess
from converge_metadata.publishing.fair.schemas import FairAssessment, FairSummary, MetricSummary
from converge_metadata.publishing.views import anonymous_read, is_visible

__all__ = ["facts_for", "record_assessment", "summary"]

_CHUNK = 500


def facts_for(context: PublicationContext, *, visible: bool) -> PublicationFacts:
    return PublicationFacts(harvestable=visible, https=context.base_url.startswith("https://"))


async def record_assessment(
    session: AsyncSession, local_id: str, *, context: PublicationContext
) -> FairAssessment:
    row = await repository.get_record(session, local_id)
    if row is None or not is_visible(row, now=datetime.now(UTC)):
        raise NotFound(f"No published record {local_id!r}")
    record = anonymous_read(row, context)
    return assess(record, facts_for(context, visible=True))


async def summary(session: AsyncSession, *, context: PublicationContext) -> FairSummary:
    """Walks every visible record in chunks; the impact service reads it, not a hot path."""
    today = datetime.now(UTC).date()
    facts = facts_for(context, visible=True)
    histogram = {f"{i / 10:.1f}-{(i + 1) / 10:.1f}": 0 for i in range(10)}
    passed = dict.fromkeys((m.id for m in METRICS), 0)
    by_type: dict[str, list[float]] = defaultdict(list)
    count, after = 0, None
    while True:
        rows = await repository.visible_page(session, today=today, after_pk=after, limit=_CHUNK)
        for row in rows:
            result = assess(anonymous_read(row, context), facts)
            histogram[list(histogram)[min(int(result.score * 10), 9)]] += 1
            by_type[row.type].append(result.score)
            for metric in result.metrics:
                passed[metric.id] += metric.passed
        count += len(rows)
        if len(rows) < _CHUNK:
            break
        after = rows[-1].pk
    scores = [s for values in by_type.values() for s in values]
    return FairSummary(
        records=count,
        mean_score=round(sum(scores) / len(scores), 4) if scores else None,
        histogram=histogram,
        by_type={t: round(sum(v) / len(v), 4) for t, v in sorted(by_type.items())},
        metrics=[
            MetricSummary(id=m.id, name=m.name, passed=passed[m.id], failed=count - passed[m.id])
            for m in METRICS
        ],
    )

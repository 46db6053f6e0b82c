"""FAIR assessment of one record and the distribution across the catalogue."""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from converge_common.errors import NotFound
from sqlalchemy.ext.asyncio import AsyncSession

from converge_metadata import access
from converge_metadata.models import Record
from converge_metadata.publishing import repository
from converge_metadata.publishing.context import PublicationContext
from converge_metadata.publishing.fair.metrics import METRICS, PublicationFacts, assess
from converge_metadata.publishing.fair.schemas import FairAssessment, FairSummary, MetricSummary
from converge_metadata.publishing.views import anonymous_read, is_visible
from converge_metadata.records.views import record_read

__all__ = ["FairGap", "FairWorklist", "facts_for", "record_assessment", "summary", "worklist"]

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


@dataclass(frozen=True)
class FairGap:
    """A metric that records fail: how many, and what to add to pass it."""

    metric_id: str
    name: str
    hint: str
    records: int
    by_operator: bool


@dataclass(frozen=True)
class FairWorklist:
    """The Node's live records (drafts included) by FAIR score: the lowest, each with its own
    assessment and hints, and the metrics most records fail (passing one raises every record
    that fails it by the same share, so the most common gap raises the catalogue most)."""

    records: int
    lowest: list[tuple[Record, FairAssessment]]
    gaps: list[FairGap]


async def worklist(
    session: AsyncSession, *, context: PublicationContext, limit: int
) -> FairWorklist:
    """Walks every live record in chunks, as a steward sees it (drafts are assessed as they
    would be published: not yet harvestable, which the hint to publish names)."""
    now = datetime.now(UTC)
    viewer = access.Viewer(steward=True, today=now.date())
    failing: Counter[str] = Counter()
    # a heap of the ``limit`` lowest (score, -pk): the oldest record first among equals
    lowest: list[tuple[float, int, Record, FairAssessment]] = []
    count, after = 0, None
    while True:
        rows = await repository.live_page(session, after_pk=after, limit=_CHUNK)
        for row in rows:
            record = record_read(
                row,
                context.node_id,
                viewer=viewer,
                request_access_url=context.record_url(row.local_id),
            )
            result = assess(record, facts_for(context, visible=is_visible(row, now=now)))
            failing.update(m.id for m in result.metrics if not m.passed)
            entry = (-result.score, -row.pk, row, result)
            if len(lowest) < limit:
                heapq.heappush(lowest, entry)
            elif entry[:2] > lowest[0][:2]:
                heapq.heapreplace(lowest, entry)
        count += len(rows)
        if len(rows) < _CHUNK:
            break
        after = rows[-1].pk
    ordered = sorted(lowest, key=lambda e: (e[0], e[1]), reverse=True)
    by_id = {m.id: m for m in METRICS}
    gaps = [
        FairGap(
            metric_id=mid,
            name=by_id[mid].name,
            hint=by_id[mid].hint,
            records=n,
            by_operator=by_id[mid].by_operator,
        )
        for mid, n in sorted(failing.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return FairWorklist(records=count, lowest=[(e[2], e[3]) for e in ordered], gaps=gaps)

"""Derived figures from what the Node's services answered: pure functions, no I/O.

Two kinds of derived indicator:

- *flows* counted by month from the source's own dates (records by month of first
  publication, courses by start month, availability per calendar month): every refresh
  recomputes every month, and replaces what was stored before;
- *snapshots* of the present (records by access level, FAIR scores): every refresh stores
  the figure for the current month, so months already past keep what was seen then.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from converge_impact.derived.clients import CatalogueStats, FairSummary, Transition
from converge_impact.periods import month_of

__all__ = [
    "ACCESS_CODES",
    "FAIR_CODES",
    "Derivation",
    "Figure",
    "from_fair",
    "from_histories",
    "from_stats",
    "month_bounds",
]

PUBLISHED = {
    "records.datasets.published": ("Dataset",),
    "records.tools.published": ("Software",),
    "records.training.published": ("TrainingMaterial", "CourseInstance"),
}
ACCESS_CODES = {f"records.access.{level}": level for level in ("public", "controlled", "embargoed")}
FAIR_CODES = ("fair.score.mean", "fair.records.low", "fair.records.medium", "fair.records.high")
TRAINING_CODES = ("training.events.held", "training.participants")
AVAILABILITY = "service.availability"
UP = frozenset({"active", "degraded"})
OBSERVED = frozenset({"active", "degraded", "unreachable"})


@dataclass(frozen=True)
class Figure:
    code: str
    period: str
    value: float
    source: str


@dataclass
class Derivation:
    """What one source gives: figures, and the flow indicators whose stored months they replace."""

    figures: list[Figure] = field(default_factory=list)
    replaces: set[str] = field(default_factory=set)
    # only the stored months from this one on are replaced (None: all)
    replace_from: str | None = None


def from_stats(stats: CatalogueStats, *, source: str, now: datetime) -> Derivation:
    out = Derivation(replaces={*PUBLISHED, *TRAINING_CODES})
    published: dict[tuple[str, str], int] = defaultdict(int)
    access: dict[str, int] = dict.fromkeys(ACCESS_CODES.values(), 0)
    for row in stats.records:
        for code, types in PUBLISHED.items():
            if row.type in types:
                published[(code, row.month)] += row.count
        access[row.access_level] += row.count
    out.figures += [Figure(c, m, float(n), source) for (c, m), n in sorted(published.items())]
    month = month_of(now.date())
    out.figures += [
        Figure(c, month, float(access[level]), source) for c, level in ACCESS_CODES.items()
    ]
    for course in stats.courses:
        out.figures.append(
            Figure("training.events.held", course.month, float(course.events), source)
        )
        out.figures.append(
            Figure("training.participants", course.month, float(course.participants), source)
        )
    return out


def _band(label: str) -> str:
    low = float(label.split("-", 1)[0])
    if low < 0.5 - 1e-9:
        return "fair.records.low"
    return "fair.records.medium" if low < 0.8 - 1e-9 else "fair.records.high"


def from_fair(summary: FairSummary, *, source: str, now: datetime) -> Derivation:
    month = month_of(now.date())
    bands = dict.fromkeys(FAIR_CODES[1:], 0)
    for label, count in summary.histogram.items():
        bands[_band(label)] += count
    figures = [Figure(code, month, float(n), source) for code, n in bands.items()]
    if summary.mean_score is not None:
        figures.insert(0, Figure("fair.score.mean", month, summary.mean_score, source))
    return Derivation(figures=figures)


def month_bounds(start: datetime, end: datetime) -> Iterable[tuple[str, datetime, datetime]]:
    """``[start, end)`` cut at month boundaries: (month, from, to)."""
    cursor = start
    while cursor < end:
        nxt = datetime(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1, tzinfo=UTC)
        stop = min(nxt, end)
        yield month_of(cursor.date()), cursor, stop
        cursor = stop


def from_histories(
    histories: Sequence[Sequence[Transition]], *, source: str, now: datetime
) -> Derivation:
    """Per calendar month: seconds active or degraded over seconds observed, all services."""
    up: dict[str, float] = defaultdict(float)
    observed: dict[str, float] = defaultdict(float)
    for history in histories:
        ordered = sorted(history, key=lambda t: t.at)
        for index, transition in enumerate(ordered):
            end = ordered[index + 1].at if index + 1 < len(ordered) else now
            state = transition.to_state
            if state not in OBSERVED:
                continue
            for month, lo, hi in month_bounds(transition.at.astimezone(UTC), end.astimezone(UTC)):
                seconds = (hi - lo).total_seconds()
                observed[month] += seconds
                if state in UP:
                    up[month] += seconds
    return Derivation(
        figures=[
            Figure(AVAILABILITY, m, round(100 * up[m] / observed[m], 4), source)
            for m in sorted(observed)
            if observed[m] > 0
        ],
        replaces={AVAILABILITY},
    )

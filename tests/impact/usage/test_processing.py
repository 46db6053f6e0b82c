"""The vectorised rules against a plain reading of them, on random usage with many
collisions (same users, datasets, resources and near-identical times)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from itertools import pairwise

import numpy as np
import pytest
from converge_impact.usage import processing
from converge_impact.usage.processing import EventArrays, count_usage

Key = tuple[int, int, int]


def _reference(events: EventArrays, start: int, until: int) -> dict[Key, tuple[int, int, int, int]]:
    n = len(events)
    ts = events.occurred_s.tolist()
    hour = [t // 3600 for t in ts]
    by_key: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for i in range(n):
        slot = hour[i] if events.user_by_address[i] else None
        key = (events.user[i], slot, events.dataset[i], events.kind[i], events.resource[i])
        by_key[key].append(i)
    kept = [True] * n
    for members in by_key.values():
        members.sort(key=lambda i: ts[i])
        for a, b in pairwise(members):
            if ts[b] - ts[a] <= 30:
                kept[a] = False  # the first of a double click is removed
    totals: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    sessions: dict[Key, set[tuple[int, int]]] = defaultdict(set)
    request_sessions: dict[Key, set[tuple[int, int]]] = defaultdict(set)
    for i in range(n):
        if not kept[i] or not start <= ts[i] < until:
            continue
        when = datetime.fromtimestamp(ts[i], UTC)
        month = (when.year - 1970) * 12 + when.month - 1
        group = (month, int(events.dataset[i]), int(events.access[i]))
        totals[group][0] += 1
        sessions[group].add((int(events.user[i]), hour[i]))
        if events.kind[i] == 1:
            totals[group][1] += 1
            request_sessions[group].add((int(events.user[i]), hour[i]))
    return {g: (t[0], len(sessions[g]), t[1], len(request_sessions[g])) for g, t in totals.items()}


def _random_events(seed: int, n: int) -> EventArrays:
    rng = np.random.default_rng(seed)
    start = int(datetime(2025, 1, 31, 22, tzinfo=UTC).timestamp())
    return EventArrays(
        occurred_s=(start + rng.integers(0, 4 * 3600, n)).astype(np.int64),
        dataset=rng.integers(0, 4, n).astype(np.int64),
        kind=rng.integers(0, 2, n).astype(np.int64),
        access=rng.integers(0, 2, n).astype(np.int64),
        resource=rng.integers(0, 2, n).astype(np.int64),
        user=rng.integers(0, 6, n).astype(np.int64),
        user_by_address=rng.random(n) < 0.5,
    )


def _as_dict(events: EventArrays, start: int, until: int) -> dict[Key, tuple[int, int, int, int]]:
    counts = count_usage(events, count_from_s=start, count_until_s=until)
    return {
        (int(m), int(d), int(a)): (int(ti), int(ui), int(tr), int(ur))
        for m, d, a, ti, ui, tr, ur in zip(
            counts.month, counts.dataset, counts.access, counts.total_investigations,
            counts.unique_investigations, counts.total_requests, counts.unique_requests,
            strict=True,
        )
    }  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("packed", [True, False])
def test_matches_the_plain_reading(
    seed: int, packed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not packed:  # the path for keys wider than 62 bits
        monkeypatch.setattr(processing, "_pack", lambda *columns: None)
    events = _random_events(seed, 3000)
    start = int(datetime(2025, 2, 1, tzinfo=UTC).timestamp())
    until = int(datetime(2025, 3, 1, tzinfo=UTC).timestamp())
    expected = _reference(events, start, until)
    assert expected  # the random usage does reach the counted month
    assert _as_dict(events, start, until) == expected
    # both months when nothing is cut off
    assert _as_dict(events, 0, 2**40) == _reference(events, 0, 2**40)


def test_an_empty_month_counts_nothing() -> None:
    events = _random_events(4, 10)
    assert len(count_usage(events, count_from_s=0, count_until_s=1)) == 0

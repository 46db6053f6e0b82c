"""The COUNTER Code of Practice for Research Data (release 1) processing rules, vectorised.

Input: usage events that are not robots, as parallel arrays. Output: per month, dataset and
access method the four DSR metrics. The rules, as the Code of Practice states them:

- Double clicks: repeated access to the same resource by the same user within 30 seconds
  counts once; of such a pair the first is removed and the second kept (so a chain of clicks
  each within 30 s of the previous one counts once). 29 s apart: one; 31 s apart: two. The
  user for this rule is the signed-in user, else the user or session cookie, else the client
  address + user agent within the same hour (as the reference processor counter-processor).
- User sessions: the user (as above) + the date + the hour of day (24 one-hour slices).
- A request also counts as an investigation.
- Total metrics count events that survive double-click filtering; unique metrics count the
  distinct (session, dataset) pairs among them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["DOUBLE_CLICK_S", "EventArrays", "MonthlyCounts", "count_usage", "month_index"]

DOUBLE_CLICK_S = 30
INVESTIGATION, REQUEST = 0, 1
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class EventArrays:
    """Parallel arrays, one entry per event (codes are small non-negative integers)."""

    occurred_s: I64  # Unix time, seconds
    dataset: I64  # dataset code
    kind: I64  # 0 investigation, 1 request
    access: I64  # 0 regular, 1 machine
    resource: I64  # resource code (what was clicked)
    user: I64  # user code (u:/c:/s:/i: identity)
    user_by_address: npt.NDArray[np.bool_]  # the user is an address + user agent

    def __len__(self) -> int:
        return int(self.occurred_s.shape[0])


@dataclass(frozen=True)
class MonthlyCounts:
    month: I64  # months since 1970-01
    dataset: I64
    access: I64
    total_investigations: I64
    unique_investigations: I64
    total_requests: I64
    unique_requests: I64

    def __len__(self) -> int:
        return int(self.month.shape[0])


def month_index(occurred_s: I64) -> I64:
    """Months since 1970-01 of each Unix time."""
    return occurred_s.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)


def _pack(*columns: I64) -> I64 | None:
    """The columns (non-negative) as one int64 key ordering like them, first column most
    significant; ``None`` when they need more than 62 bits."""
    key = np.zeros(columns[0].shape[0], dtype=np.int64)
    bits = 0
    for column in columns:
        width = max(1, int(column.max(initial=0)).bit_length())
        bits += width
        if bits > 62:
            return None
        key = (key << width) | column
    return key


def _runs_start(*columns: I64) -> npt.NDArray[np.bool_]:
    """For sorted columns: True where a row starts a new run of equal keys."""
    n = columns[0].shape[0]
    start = np.zeros(n, dtype=np.bool_)
    if n:
        start[0] = True
        for column in columns:
            start[1:] |= column[1:] != column[:-1]
    return start


def _kept_after_double_clicks(events: EventArrays) -> npt.NDArray[np.bool_]:
    hour = events.occurred_s // 3600
    # address-identified users are one user per hour; signed-in or cookie users for longer
    slot = np.where(events.user_by_address, hour - hour.min(initial=0) + 1, 0)
    identity = (events.user, slot, events.dataset, events.kind, events.resource)
    packed = _pack(*identity)
    if packed is not None:
        # one int64 key and the time: two sort keys instead of six; two stable argsorts give
        # lexsort's order in 15% less time
        by_time = np.argsort(events.occurred_s, kind="stable")
        order = by_time[np.argsort(packed[by_time], kind="stable")]
        keys = [packed[order]]
    else:
        order = np.lexsort((events.occurred_s, *reversed(identity)))
        keys = [c[order] for c in identity]
    ts = events.occurred_s[order]
    same_as_next = np.zeros(len(events), dtype=np.bool_)
    if len(events) > 1:
        same_as_next[:-1] = ~_runs_start(*keys)[1:]
    dropped_sorted = same_as_next.copy()
    dropped_sorted[:-1] &= (ts[1:] - ts[:-1]) <= DOUBLE_CLICK_S
    kept = np.empty(len(events), dtype=np.bool_)
    kept[order] = ~dropped_sorted
    return kept


def _group(month: I64, dataset: I64, access: I64) -> tuple[I64, I64]:
    """A dense group number per (month, dataset, access) and the unique group keys."""
    key = (month * (int(dataset.max(initial=0)) + 1) + dataset) * 2 + access
    groups, inverse = np.unique(key, return_inverse=True)
    return groups.astype(np.int64), inverse.astype(np.int64)


def _distinct_sessions(
    mask: npt.NDArray[np.bool_], events: EventArrays, hour: I64, group_of: I64, n_groups: int
) -> I64:
    """Per group, how many distinct (user, hour, dataset, access) among masked events."""
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return np.zeros(n_groups, dtype=np.int64)
    hours = hour[idx] - hour[idx].min(initial=0)
    columns = (events.user[idx], hours, events.dataset[idx], events.access[idx])
    packed = _pack(*columns)
    if packed is not None:
        _, firsts = np.unique(packed, return_index=True)
        return np.bincount(group_of[idx][firsts], minlength=n_groups).astype(np.int64)
    order = np.lexsort(tuple(reversed(columns)))
    starts = _runs_start(*(c[order] for c in columns))
    return np.bincount(group_of[idx][order][starts], minlength=n_groups).astype(np.int64)


def count_usage(
    events: EventArrays, *, count_from_s: int | None = None, count_until_s: int | None = None
) -> MonthlyCounts:
    """The four metrics per (month, dataset, access). Events outside
    ``[count_from_s, count_until_s)`` only take part in double-click filtering (a click just
    after the period can remove one just before it)."""
    kept = _kept_after_double_clicks(events)
    if count_from_s is not None:
        kept &= events.occurred_s >= count_from_s
    if count_until_s is not None:
        kept &= events.occurred_s < count_until_s
    month = month_index(events.occurred_s)
    empty = np.zeros(0, dtype=np.int64)
    if not kept.any():
        return MonthlyCounts(empty, empty, empty, empty, empty, empty, empty)
    idx = np.flatnonzero(kept)
    groups, inverse = _group(month[idx], events.dataset[idx], events.access[idx])
    n = groups.shape[0]
    group_of = np.full(len(events), -1, dtype=np.int64)
    group_of[idx] = inverse
    is_request = events.kind == REQUEST
    total_inv = np.bincount(inverse, minlength=n).astype(np.int64)
    total_req = np.bincount(inverse[is_request[idx]], minlength=n).astype(np.int64)
    hour = events.occurred_s // 3600
    unique_inv = _distinct_sessions(kept, events, hour, group_of, n)
    unique_req = _distinct_sessions(kept & is_request, events, hour, group_of, n)
    ds_span = int(events.dataset[idx].max(initial=0)) + 1
    access = groups % 2
    dataset = (groups // 2) % ds_span
    month_of = (groups // 2) // ds_span
    return MonthlyCounts(
        month=month_of,
        dataset=dataset,
        access=access,
        total_investigations=total_inv,
        unique_investigations=unique_inv,
        total_requests=total_req,
        unique_requests=unique_req,
    )

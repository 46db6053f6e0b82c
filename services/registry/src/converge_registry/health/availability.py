"""Availability over a window, from the state history.

Availability = time ``active`` or ``degraded`` / time observed. A degraded service answered
(its ``/readyz`` said a dependency is down, or it was slow), so it counts as available; the
per-state seconds are returned too for anyone who wants the strict figure (``active`` only).
Observed time excludes ``unknown`` (before the first evidence), ``retired`` and any time
before the service was registered; with nothing observed, availability is ``null``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from converge_registry.health import repository
from converge_registry.models import StateTransition

__all__ = ["WINDOWS", "availability", "state_seconds"]

WINDOWS = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
UP = frozenset({"active", "degraded"})
OBSERVED = frozenset({"active", "degraded", "unreachable"})


def state_seconds(
    before: StateTransition | None,
    within: Sequence[StateTransition],
    *,
    start: datetime,
    end: datetime,
) -> dict[str, float]:
    """Seconds spent in each state between ``start`` and ``end``."""
    seconds: dict[str, float] = {}
    state = before.to_state if before is not None else None
    cursor = start
    for transition in within:
        if state is not None:
            seconds[state] = seconds.get(state, 0.0) + (transition.at - cursor).total_seconds()
        state, cursor = transition.to_state, transition.at
    if state is not None:
        seconds[state] = seconds.get(state, 0.0) + (end - cursor).total_seconds()
    return seconds


async def availability(
    session: AsyncSession, service_id: int, *, now: datetime
) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for name, span in WINDOWS.items():
        start = now - span
        before, within = await repository.transitions_between(
            session, service_id, start=start, end=now
        )
        seconds = state_seconds(before, within, start=start, end=now)
        observed = sum(v for k, v in seconds.items() if k in OBSERVED)
        up = sum(v for k, v in seconds.items() if k in UP)
        out[name] = {
            "availability": round(up / observed, 6) if observed > 0 else None,
            "observed_s": round(observed, 3),
            "seconds": {k: round(v, 3) for k, v in sorted(seconds.items())},
        }
    return out

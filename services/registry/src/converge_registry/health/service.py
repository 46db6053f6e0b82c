"""Applying evidence (probes, heartbeats, silence) to service instances, with history."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from converge_registry.changes.service import record_change
from converge_registry.health.states import (
    Decision,
    ProbeOutcome,
    State,
    after_heartbeat,
    after_probe,
    backoff_factor,
)
from converge_registry.models import ServiceInstance, StateTransition
from converge_registry.settings import RegistrySettings

__all__ = ["apply_heartbeat", "apply_probe", "next_probe_at", "quiet_probe_update", "set_state"]


async def set_state(
    session: AsyncSession, instance: ServiceInstance, to: State, reason: str, *, now: datetime
) -> bool:
    """Move to ``to`` (kept in the history and the feed); False when nothing changed."""
    before = instance.state
    if before == to.value:
        return False
    session.add(
        StateTransition(
            service_id=instance.id,
            from_state=before,
            to_state=to.value,
            reason=reason[:300],
            at=now,
        )
    )
    instance.state = to.value
    instance.state_since = now
    data = {"from": before, "to": to.value, "reason": reason[:300], "base_url": instance.base_url}
    change = "service.retired" if to is State.RETIRED else "service.state_changed"
    await record_change(
        session, type=change, node_id=instance.node_id, kind=instance.kind, data=data
    )
    return True


def next_probe_at(settings: RegistrySettings, *, now: datetime, failures: int) -> datetime:
    """One interval, jittered; ``PROBE_CONFIRM_S`` after a failed probe until the failure is
    confirmed; stretched exponentially for a service that keeps failing."""
    factor = backoff_factor(
        failures,
        unreachable_after=settings.unreachable_after,
        cap=settings.probe_max_backoff_s / settings.probe_interval_s,
        confirm=min(1.0, settings.probe_confirm_s / settings.probe_interval_s),
    )
    jitter = 1.0 + settings.probe_jitter * (2 * random.random() - 1)
    seconds = min(settings.probe_max_backoff_s, settings.probe_interval_s * factor) * jitter
    return now + timedelta(seconds=seconds)


async def _decide(
    session: AsyncSession, instance: ServiceInstance, decision: Decision, *, now: datetime
) -> None:
    instance.consecutive_failures = decision.failures
    await set_state(session, instance, decision.state, decision.reason, now=now)


async def apply_probe(
    session: AsyncSession,
    instance: ServiceInstance,
    outcome: ProbeOutcome,
    *,
    settings: RegistrySettings,
    now: datetime,
) -> None:
    instance.last_probe_at = now
    instance.last_probe_result = outcome.result.value
    instance.last_probe_status = outcome.status
    instance.last_probe_error = outcome.error[:300] if outcome.error else None
    instance.last_probe_latency_ms = outcome.latency_ms
    if outcome.answered:
        instance.last_seen_at = now
    decision = after_probe(
        State(instance.state),
        instance.consecutive_failures,
        outcome,
        unreachable_after=settings.unreachable_after,
    )
    await _decide(session, instance, decision, now=now)
    instance.next_probe_at = next_probe_at(settings, now=now, failures=decision.failures)


def quiet_probe_update(
    service_id: int,
    state: str,
    failures: int,
    last_seen_at: datetime | None,
    outcome: ProbeOutcome,
    *,
    settings: RegistrySettings,
    now: datetime,
) -> dict[str, object] | None:
    """The column values of a probe that leaves the state as it was, else None.

    Most probes of a healthy federation change nothing but timestamps; they are written in
    one executemany instead of through ORM objects (the idle cost of 1,000 services).
    """
    decision = after_probe(
        State(state), failures, outcome, unreachable_after=settings.unreachable_after
    )
    if decision.state.value != state:
        return None
    return {
        "id": service_id,
        "last_probe_at": now,
        "last_probe_result": outcome.result.value,
        "last_probe_status": outcome.status,
        "last_probe_error": outcome.error[:300] if outcome.error else None,
        "last_probe_latency_ms": outcome.latency_ms,
        "last_seen_at": now if outcome.answered else last_seen_at,
        "consecutive_failures": decision.failures,
        "next_probe_at": next_probe_at(settings, now=now, failures=decision.failures),
    }


async def apply_heartbeat(
    session: AsyncSession,
    instance: ServiceInstance,
    *,
    settings: RegistrySettings,
    now: datetime,
) -> None:
    instance.last_heartbeat_at = now
    instance.last_seen_at = now
    decision = after_heartbeat(
        State(instance.state),
        instance.consecutive_failures,
        unreachable_after=settings.unreachable_after,
    )
    await _decide(session, instance, decision, now=now)
    if decision.failures >= settings.unreachable_after:
        # it says it is back: look now rather than at the end of a long back-off
        instance.next_probe_at = now

"""The states of a service instance and the rules between them (pure functions).

* ``unknown``: registered, no evidence yet;
* ``active``: a heartbeat or a successful probe within the heartbeat window;
* ``degraded``: the probe got ``503`` from ``/readyz`` (a dependency is down) or an answer
  slower than the slow threshold;
* ``unreachable``: N consecutive probes failed (connection error, timeout, refused target,
  any other status), or nothing was heard within the heartbeat window;
* ``retired``: the Node deregistered the service.

A heartbeat makes a service ``active`` unless the last N probes failed: the registry trusts
what it sees over what it is told, since the gateway must reach the service too. It also
asks for an immediate probe, so a service that comes back is seen at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "ProbeOutcome",
    "ProbeResult",
    "State",
    "after_heartbeat",
    "after_probe",
    "backoff_factor",
]


class State(StrEnum):
    UNKNOWN = "unknown"
    ACTIVE = "active"
    DEGRADED = "degraded"
    UNREACHABLE = "unreachable"
    RETIRED = "retired"


class ProbeResult(StrEnum):
    OK = "ok"
    SLOW = "slow"
    UNAVAILABLE = "unavailable"
    FAILED = "failed"


@dataclass(frozen=True)
class ProbeOutcome:
    result: ProbeResult
    status: int | None = None
    latency_ms: float | None = None
    error: str | None = None

    @property
    def answered(self) -> bool:
        return self.result is not ProbeResult.FAILED


@dataclass(frozen=True)
class Decision:
    state: State
    failures: int
    reason: str


def after_probe(
    state: State, failures: int, outcome: ProbeOutcome, *, unreachable_after: int
) -> Decision:
    if outcome.result is ProbeResult.OK:
        return Decision(State.ACTIVE, 0, "probe succeeded")
    if outcome.result is ProbeResult.SLOW:
        return Decision(State.DEGRADED, 0, f"probe slow ({outcome.latency_ms:.0f} ms)")
    if outcome.result is ProbeResult.UNAVAILABLE:
        return Decision(State.DEGRADED, 0, "readyz answered 503")
    failures += 1
    if failures >= unreachable_after:
        return Decision(
            State.UNREACHABLE, failures, f"{failures} consecutive probes failed: {outcome.error}"
        )
    return Decision(state, failures, f"probe failed: {outcome.error}")


def after_heartbeat(state: State, failures: int, *, unreachable_after: int) -> Decision:
    if failures >= unreachable_after:
        return Decision(state, failures, "heartbeat while probes fail")
    if state in (State.UNKNOWN, State.UNREACHABLE, State.RETIRED):
        return Decision(State.ACTIVE, failures, "heartbeat")
    return Decision(state, failures, "heartbeat")


def backoff_factor(
    failures: int, *, unreachable_after: int, cap: float, confirm: float = 1.0
) -> float:
    """How many intervals to wait before the next probe: ``confirm`` (a fraction of one) while
    a failure is being confirmed, so that a stopped service is called unreachable soon after
    its first failed probe rather than ``unreachable_after`` intervals later; then
    exponentially longer for a service that keeps failing."""
    if 0 < failures < unreachable_after:
        return confirm
    extra = failures - unreachable_after
    if extra < 0:
        return 1.0
    return min(cap, float(2 ** min(extra + 1, 20)))

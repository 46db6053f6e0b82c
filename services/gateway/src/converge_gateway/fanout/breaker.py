"""A circuit breaker per Node: stop calling a Node that keeps failing, probe it now and then.

Closed: every call goes through; ``failures`` consecutive failures open the circuit. Open: no
call for ``open_s`` seconds (the Node is reported ``skipped``). Half-open: one call is let
through as a probe; its success closes the circuit, its failure opens it again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["BreakerState", "Breakers", "CircuitBreaker"]

BreakerState = Literal["closed", "open", "half_open"]


@dataclass
class CircuitBreaker:
    failures_to_open: int
    open_s: float
    clock: Callable[[], float] = time.monotonic
    state: BreakerState = "closed"
    failures: int = 0
    opened_at: float = 0.0
    probing: bool = field(default=False)

    def allow(self) -> bool:
        """Whether a call may go out now; in half-open, only one probe at a time."""
        if self.state == "closed":
            return True
        if self.state == "open":
            if self.clock() - self.opened_at < self.open_s:
                return False
            self.state = "half_open"
            self.probing = False
        if self.probing:
            return False
        self.probing = True
        return True

    def record_success(self) -> None:
        self.state, self.failures, self.probing = "closed", 0, False

    def record_failure(self) -> None:
        self.failures += 1
        if self.state == "half_open" or self.failures >= self.failures_to_open:
            self.state, self.opened_at, self.probing = "open", self.clock(), False

    def release(self) -> None:
        """A call that ended without a verdict (cancelled) frees the probe slot."""
        self.probing = False


class Breakers:
    """One breaker per Node service (a Node's metadata and impact services fail apart),
    created on first use."""

    def __init__(
        self, *, failures_to_open: int, open_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._failures = failures_to_open
        self._open_s = open_s
        self._clock = clock
        self._breakers: dict[tuple[str, str], CircuitBreaker] = {}

    def get(self, node_id: str, service: str = "metadata") -> CircuitBreaker:
        breaker = self._breakers.get((node_id, service))
        if breaker is None:
            breaker = CircuitBreaker(self._failures, self._open_s, self._clock)
            self._breakers[(node_id, service)] = breaker
        return breaker

    def states(self, service: str = "metadata") -> dict[str, BreakerState]:
        return {
            node: b.state for (node, kind), b in sorted(self._breakers.items()) if kind == service
        }

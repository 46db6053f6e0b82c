"""Rate limits per client: the token's subject when a valid token is sent, else the address.

A token bucket per client refills at ``per_minute / 60`` tokens a second up to ``burst``. A
refused request gets ``429`` with ``Retry-After``. The buckets live in the process: each gateway
replica limits on its own, so the federation-wide rate is at most replicas x the limit.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable

from converge_common.auth import optional_principal
from converge_common.errors import TooManyRequests
from fastapi import Depends, Request

__all__ = ["RateLimited", "RateLimiter", "rate_limited"]


class RateLimiter:
    def __init__(
        self,
        *,
        per_minute: int,
        burst: int,
        max_clients: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def acquire(self, client: str) -> float:
        """0 when the request may go ahead, else the seconds until it may."""
        if not self.enabled:
            return 0.0
        now = self._clock()
        tokens, at = self._buckets.get(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        if tokens >= 1.0:
            self._buckets[client] = (tokens - 1.0, now)
            wait = 0.0
        else:
            self._buckets[client] = (tokens, now)
            wait = (1.0 - tokens) / self.rate
        self._buckets.move_to_end(client)
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return wait


async def rate_limited(request: Request) -> None:
    limiter: RateLimiter = request.app.state.rate_limiter
    if not limiter.enabled:
        return
    principal = await optional_principal(request)
    if principal is not None:
        client = f"sub:{principal.subject}"
    else:
        client = f"ip:{request.client.host if request.client else 'unknown'}"
    wait = limiter.acquire(client)
    if wait > 0:
        request.app.state.node_metrics.rate_limited.inc()
        raise TooManyRequests(
            "Too many requests from this client; slow down", retry_after_s=math.ceil(wait)
        )


RateLimited = Depends(rate_limited)

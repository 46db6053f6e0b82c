"""A per-client sliding-window limit for anonymous pings (in-process; one registry replica)."""

from __future__ import annotations

import time
from collections import deque

__all__ = ["SlidingWindowLimiter"]


class SlidingWindowLimiter:
    def __init__(self, *, limit: int, window_s: float, max_clients: int = 100_000) -> None:
        self.limit = limit
        self.window_s = window_s
        self._max_clients = max_clients
        self._hits: dict[str, deque[float]] = {}

    def retry_after(self, client: str, *, now: float | None = None) -> float:
        """0 when the hit is allowed (and counted), else seconds until it would be."""
        now = time.monotonic() if now is None else now
        hits = self._hits.setdefault(client, deque())
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        if len(hits) >= self.limit:
            return hits[0] + self.window_s - now
        if len(self._hits) > self._max_clients:
            # forget the quietest clients rather than grow without bound
            for key in [k for k, v in self._hits.items() if not v][: self._max_clients // 10]:
                del self._hits[key]
        hits.append(now)
        return 0.0

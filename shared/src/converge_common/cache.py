"""One in-process cache: least-recently-used entries, optionally forgotten after a time.

Used for the gateway's federated answers, the metadata service's anonymous search answers
and its daily usage salts. Not thread-safe: each is owned by one event loop. A plain
``OrderedDict`` rather than ``cachetools``: the search path reads it once per request, and
this keeps that read to a dictionary lookup and a move, without a new dependency or its type
stubs package.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["LRUCache"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRUCache(Generic[K, V]):
    """At most ``max_entries`` entries, the least recently used dropped first; with ``ttl_s``,
    each is also forgotten ``ttl_s`` seconds after it was stored. ``max_entries <= 0`` or
    ``ttl_s <= 0`` turns the cache off (``put`` keeps nothing)."""

    def __init__(
        self,
        *,
        max_entries: int,
        ttl_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_entries = max_entries
        self.ttl_s = ttl_s
        self._clock = clock
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0 and (self.ttl_s is None or self.ttl_s > 0)

    def get(self, key: K) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        ttl_s = self.ttl_s
        if ttl_s is not None and self._clock() - entry[0] >= ttl_s:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry[1]

    def put(self, key: K, value: V) -> None:
        if not self.enabled:
            return
        stored_at = self._clock() if self.ttl_s is not None else 0.0
        self._entries[key] = (stored_at, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

"""``converge_common.cache.LRUCache``: recency, expiry, and off."""

from __future__ import annotations

from converge_common.cache import LRUCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class TestLRUCache:
    def test_the_least_recently_used_entry_goes_first(self) -> None:
        cache: LRUCache[str, int] = LRUCache(max_entries=2)
        cache.put("a", 1)
        cache.put("b", 2)
        assert cache.get("a") == 1
        cache.put("c", 3)  # evicts b, the least recently used
        assert cache.get("b") is None
        assert (cache.get("a"), cache.get("c")) == (1, 3)
        assert len(cache) == 2

    def test_a_put_of_a_known_key_replaces_it_and_makes_it_recent(self) -> None:
        cache: LRUCache[str, int] = LRUCache(max_entries=2)
        cache.put("a", 1)
        cache.put("b", 2)
        cache.put("a", 10)
        cache.put("c", 3)  # evicts b: a was refreshed
        assert (cache.get("a"), cache.get("b")) == (10, None)

    def test_entries_expire_ttl_after_they_were_stored(self) -> None:
        clock = Clock()
        cache: LRUCache[str, int] = LRUCache(max_entries=2, ttl_s=5, clock=clock)
        cache.put("a", 1)
        clock.now += 4.9
        assert cache.get("a") == 1  # a read does not extend the life
        clock.now += 0.1
        assert cache.get("a") is None
        assert len(cache) == 0

    def test_without_a_ttl_entries_do_not_expire(self) -> None:
        clock = Clock()
        cache: LRUCache[str, int] = LRUCache(max_entries=1, clock=clock)
        cache.put("a", 1)
        clock.now += 1e9
        assert cache.get("a") == 1

    def test_off_when_no_entries_or_no_time_are_allowed(self) -> None:
        for cache in (
            LRUCache[str, int](max_entries=0),
            LRUCache[str, int](max_entries=9, ttl_s=0),
        ):
            assert not cache.enabled
            cache.put("a", 1)
            assert cache.get("a") is None

    def test_clear_forgets_everything(self) -> None:
        cache: LRUCache[str, int] = LRUCache(max_entries=3)
        cache.put("a", 1)
        cache.clear()
        assert "a" not in cache
        assert len(cache) == 0

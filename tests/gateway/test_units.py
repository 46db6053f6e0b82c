"""Breaker, cache and rate limiter against a controlled clock."""

from __future__ import annotations

from converge_gateway.fanout.breaker import CircuitBreaker
from converge_gateway.ratelimit import RateLimiter
from converge_gateway.search.cache import TTLCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class TestCircuitBreaker:
    def test_lifecycle(self) -> None:
        clock = Clock()
        breaker = CircuitBreaker(failures_to_open=3, open_s=10, clock=clock)
        for _ in range(2):
            assert breaker.allow()
            breaker.record_failure()
        assert breaker.state == "closed"
        breaker.record_success()
        for _ in range(3):
            breaker.record_failure()
        assert breaker.state == "open"
        assert not breaker.allow()
        clock.now += 10
        assert breaker.allow()  # the probe
        assert breaker.state == "half_open"
        assert not breaker.allow()  # one probe at a time
        breaker.record_failure()
        assert breaker.state == "open"
        assert not breaker.allow()
        clock.now += 10
        assert breaker.allow()
        breaker.record_success()
        assert breaker.state == "closed"
        assert breaker.allow()
        assert breaker.allow()

    def test_released_probe_can_be_retried(self) -> None:
        clock = Clock()
        breaker = CircuitBreaker(failures_to_open=1, open_s=1, clock=clock)
        breaker.record_failure()
        clock.now += 1
        assert breaker.allow()
        breaker.release()
        assert breaker.allow()


class TestCache:
    def test_ttl_and_lru(self) -> None:
        clock = Clock()
        cache: TTLCache[int] = TTLCache(ttl_s=5, max_entries=2, clock=clock)
        cache.put("a", 1)
        cache.put("b", 2)
        assert cache.get("a") == 1
        cache.put("c", 3)  # evicts b, the least recently used
        assert cache.get("b") is None
        assert cache.get("a") == 1
        clock.now += 5
        assert cache.get("a") is None
        assert len(cache) == 1

    def test_disabled(self) -> None:
        cache: TTLCache[int] = TTLCache(ttl_s=0, max_entries=10)
        cache.put("a", 1)
        assert cache.get("a") is None


class TestRateLimiter:
    def test_bucket_refills(self) -> None:
        clock = Clock()
        limiter = RateLimiter(per_minute=60, burst=2, max_clients=10, clock=clock)
        assert limiter.acquire("x") == 0
        assert limiter.acquire("x") == 0
        assert limiter.acquire("x") == 1.0
        assert limiter.acquire("y") == 0
        clock.now += 1
        assert limiter.acquire("x") == 0

    def test_forgets_least_recent_clients(self) -> None:
        clock = Clock()
        limiter = RateLimiter(per_minute=60, burst=1, max_clients=1, clock=clock)
        limiter.acquire("x")
        limiter.acquire("y")
        assert limiter.acquire("x") == 0  # x was forgotten: a fresh bucket

"""Cost of the shared rate limit (converge_common.ratelimit) per request, and its memory.

Counts hits of the gateway's default rules (two moving windows: 600 a minute, 60 in 6 s)
spread over many clients, in process (``memory://``) and in Redis at 127.0.0.1:6379 when one
runs there, and the memory the in-process storage holds for 100,000 clients. Prints the
figures (docs/reliability.md, "Gateway and rate limits", quotes them).

    uv run python -m bench.ratelimit [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import time
import tracemalloc
import uuid

from converge_common.ratelimit import RateLimiter, RateLimitMetrics, parse_rules
from prometheus_client import CollectorRegistry

RULES = parse_rules("600/minute;60 per 6 second")


def _limiter(url: str) -> RateLimiter:
    return RateLimiter(
        metrics=RateLimitMetrics(CollectorRegistry()),
        storage_url=url,
        key_prefix=f"bench-{uuid.uuid4().hex}",
    )


async def per_hit_us(url: str, hits: int, clients: int) -> tuple[float, float]:
    limiter = _limiter(url)
    await limiter.hit("gateway", RULES, "warm-up")
    samples = []
    for i in range(hits):
        start = time.perf_counter()
        await limiter.hit("gateway", RULES, f"ip:{i % clients}")
        samples.append((time.perf_counter() - start) * 1e6)
    if limiter.shared:
        await limiter.reset()
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99)]


async def memory_per_client(clients: int) -> float:
    limiter = _limiter("memory://")
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for i in range(clients):
        await limiter.hit("gateway", RULES, f"ip:{i}")
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(s.size_diff for s in after.compare_to(before, "filename"))
    return grown / clients


def redis_running() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


async def run(quick: bool) -> None:
    hits = 5_000 if quick else 50_000
    clients = 1_000
    urls = ["memory://"] + (["redis://127.0.0.1:6379/0"] if redis_running() else [])
    for url in urls:
        median, p99 = await per_hit_us(url, hits, clients)
        print(f"{url} {hits} hits, {clients} clients: median {median:.0f} us, p99 {p99:.0f} us")
    if len(urls) == 1:
        print("redis:// no Redis at 127.0.0.1:6379")
    many = 10_000 if quick else 100_000
    print(f"memory://  {await memory_per_client(many):.0f} bytes per client ({many} clients)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    asyncio.run(run(parser.parse_args().quick))


if __name__ == "__main__":
    main()

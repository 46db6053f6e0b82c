"""``make soak``: the demo federation under mixed traffic, bounded in time and requests.

Starts the demo federation (``scripts.demo``: OpenID provider, registry, gateway, three Nodes
with metadata and impact, on SQLite) on loopback, then drives an open-loop mix of what its
users do: federated search, record reads (through the gateway and at a Node), OAI-PMH pages,
DCAT catalogues and the registry's list. First it ramps the rate up in steps to find the
highest rate the machine holds with p99 under 1 s and no errors; then it holds that rate for
the rest of the time, sampling the resident memory (RSS) of every service process. The figures
go to the ``## Soak`` section of ``docs/reliability.md``.

Bounds (environment): ``CONVERGE_SOAK_SECONDS`` (default 600, the whole run after start-up),
``CONVERGE_SOAK_MAX_REQUESTS`` (default 500000), ``CONVERGE_SOAK_STEP_SECONDS`` (default 20,
one ramp step), ``CONVERGE_SOAK_START_RATE`` (default 10 requests per second). The load
generator runs on the same machine as the services it measures.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "reliability.md"
SECTION = "## Soak"
GATEWAY = "http://127.0.0.1:8000"
REGISTRY = "http://127.0.0.1:8001"
NODES = {
    "de": "http://127.0.0.1:8010",
    "fi": "http://127.0.0.1:8011",
    "pt": "http://127.0.0.1:8012",
}
P99_LIMIT_S = 1.0
MAX_IN_FLIGHT = 200
RATE_FACTOR = 1.5
REQUEST_TIMEOUT_S = 10.0
WARMUP_S = 15
QUERIES = ["protein", "genome", "training", "rna", "cancer", "mouse", "python", "sequencing"]


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


@dataclass
class Step:
    """One period at one offered rate."""

    rate: float
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    shed: int = 0
    by_kind: dict[str, list[float]] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        return len(self.latencies) + sum(self.errors.values()) + self.shed

    def quantile(self, q: float) -> float:
        return _quantile(self.latencies, q)

    @property
    def failed(self) -> int:
        return sum(self.errors.values()) + self.shed

    @property
    def holds(self) -> bool:
        return self.failed == 0 and bool(self.latencies) and self.quantile(0.99) < P99_LIMIT_S


class Traffic:
    """The request mix: (weight, method, URL) drawn at random with a fixed seed."""

    def __init__(self, records: dict[str, list[str]]) -> None:
        self.random = random.Random(20261203)
        self.records = records
        self.kinds = [
            (30, self.federated_search),
            (15, self.gateway_record),
            (10, self.node_record),
            (15, self.oai_page),
            (10, self.dcat),
            (10, self.registry_list),
            (10, self.node_search),
        ]
        self.total = sum(w for w, _ in self.kinds)

    def next(self) -> tuple[str, str]:
        pick = self.random.uniform(0, self.total)
        for weight, make in self.kinds:
            pick -= weight
            if pick <= 0:
                return make()
        return self.kinds[0][1]()

    def _record(self) -> tuple[str, str]:
        node = self.random.choice([n for n, ids in self.records.items() if ids])
        return node, self.random.choice(self.records[node])

    def federated_search(self) -> tuple[str, str]:
        return "search", f"{GATEWAY}/api/v1/search?q={self.random.choice(QUERIES)}"

    def node_search(self) -> tuple[str, str]:
        node = self.random.choice(list(NODES))
        return "node search", f"{NODES[node]}/api/v1/search?q={self.random.choice(QUERIES)}"

    def gateway_record(self) -> tuple[str, str]:
        node, record = self._record()
        return "record (gateway)", f"{GATEWAY}/api/v1/records/{node}:{record}"

    def node_record(self) -> tuple[str, str]:
        node, record = self._record()
        return "record (Node)", f"{NODES[node]}/api/v1/records/{record}"

    def oai_page(self) -> tuple[str, str]:
        base = self.random.choice([GATEWAY, *NODES.values()])
        return "OAI-PMH", f"{base}/oai?verb=ListRecords&metadataPrefix=oai_dc"

    def dcat(self) -> tuple[str, str]:
        base = self.random.choice([GATEWAY, *NODES.values()])
        return "DCAT", f"{base}/dcat/catalog?format=ttl"

    def registry_list(self) -> tuple[str, str]:
        return "registry", f"{REGISTRY}/api/v1/nodes"


async def _one(client: httpx.AsyncClient, url: str, step: Step, kind: str) -> None:
    started = time.perf_counter()
    try:
        response = await client.get(url)
    except httpx.HTTPError as exc:
        step.errors[f"{kind}: {type(exc).__name__}"] += 1
        return
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        step.errors[f"{kind}: HTTP {response.status_code}"] += 1
        return
    step.latencies.append(elapsed)
    step.by_kind.setdefault(kind, []).append(elapsed)


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def run_step(
    client: httpx.AsyncClient, traffic: Traffic, step: Step, budget: list[int]
) -> None:
    """Offer ``step.rate`` requests per second for ``step.seconds`` (open loop)."""
    in_flight: set[asyncio.Task[None]] = set()
    interval = 1.0 / step.rate
    start = time.perf_counter()
    sent = 0
    while budget[0] > 0:
        due = start + sent * interval
        if due - start >= step.seconds:
            break
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        sent += 1
        budget[0] -= 1
        if len(in_flight) >= MAX_IN_FLIGHT:
            # the services are this far behind: the rate is not held
            step.shed += 1
            continue
        kind, url = traffic.next()
        task = asyncio.create_task(_one(client, url, step, kind))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
    if in_flight:
        await asyncio.gather(*in_flight)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _rss_kib(pid: int) -> int | None:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def _name(pid: int) -> str:
    with contextlib.suppress(OSError):
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        text = " ".join(a.decode(errors="replace") for a in args)
        if match := re.search(r"converge_(\w+)\.app:app --host \S+ --port (\d+)", text):
            return f"{match.group(1)}:{match.group(2)}"
        if "provider.mjs" in text:
            return "oidc-provider"
    return str(pid)


def rss_sample(demo_pid: int) -> dict[str, int]:
    sample = {}
    for pid in _children(demo_pid):
        rss = _rss_kib(pid)
        if rss is not None:
            sample[_name(pid)] = rss
    return sample


def start_demo() -> subprocess.Popen[bytes]:
    for url in (GATEWAY, REGISTRY, *NODES.values()):
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(url + "/livez", timeout=1, trust_env=False)
            raise SystemExit(f"soak: something already listens at {url}; stop it first")
    # one load generator stands for many users: the gateway's per-client limit would answer
    # 429 to it long before the services are loaded
    env = {**os.environ, "CONVERGE_GATEWAY_RATE_LIMIT_PER_MINUTE": "0"}
    return subprocess.Popen(
        [sys.executable, "-m", "scripts.demo"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_for_federation(demo: subprocess.Popen[bytes], seconds: float = 600) -> None:
    deadline = time.monotonic() + seconds
    with httpx.Client(timeout=5, trust_env=False) as client:
        while time.monotonic() < deadline:
            if demo.poll() is not None:
                raise SystemExit("soak: the demo federation stopped during start-up")
            with contextlib.suppress(httpx.HTTPError):
                page = client.get(f"{GATEWAY}/api/v1/search", params={"q": "protein"}).json()
                if all(page["nodes"].get(n, {}).get("status") == "ok" for n in NODES):
                    return
            time.sleep(1)
    raise SystemExit("soak: the federation did not become ready")


def record_ids() -> dict[str, list[str]]:
    records = {}
    with httpx.Client(timeout=20, trust_env=False) as client:
        for node, base in NODES.items():
            page = client.get(f"{base}/api/v1/search", params={"limit": 100}).json()
            records[node] = [item["id"] for item in page["items"]]
    return records


def stop_demo(demo: subprocess.Popen[bytes]) -> None:
    if demo.poll() is None:
        demo.send_signal(signal.SIGINT)
        try:
            demo.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait(timeout=10)


@dataclass
class Soak:
    ramp: list[Step] = field(default_factory=list)
    hold: Step | None = None
    rss: list[tuple[float, dict[str, int]]] = field(default_factory=list)
    records: int = 0
    warmup: Step | None = None


async def soak(demo_pid: int, records: dict[str, list[str]]) -> Soak:
    total_s = _env_int("CONVERGE_SOAK_SECONDS", 600)
    step_s = _env_int("CONVERGE_SOAK_STEP_SECONDS", 20)
    budget = [_env_int("CONVERGE_SOAK_MAX_REQUESTS", 500_000)]
    traffic = Traffic(records)
    result = Soak(records=sum(len(v) for v in records.values()))
    began = time.monotonic()
    limits = httpx.Limits(max_connections=MAX_IN_FLIGHT, max_keepalive_connections=MAX_IN_FLIGHT)
    async with httpx.AsyncClient(
        timeout=REQUEST_TIMEOUT_S, limits=limits, trust_env=False
    ) as client:
        result.rss.append((0.0, rss_sample(demo_pid)))
        start_rate = float(os.environ.get("CONVERGE_SOAK_START_RATE", "10"))
        rate = start_rate
        held: float | None = None
        # warm-up (caches, connection pools, the gateway's directory), not counted
        result.warmup = Step(rate=start_rate, seconds=min(step_s, WARMUP_S))
        await run_step(client, traffic, result.warmup, budget)
        print("warm-up: " + _step_line(result.warmup), flush=True)
        # ramp: at most 40 % of the time, until a step does not hold twice in a row (the
        # machine is shared: one bad step may be someone else's)
        retried = False
        while time.monotonic() - began + step_s <= total_s * 0.4 and budget[0] > 0:
            step = Step(rate=rate, seconds=step_s)
            await run_step(client, traffic, step, budget)
            result.ramp.append(step)
            print(_step_line(step), flush=True)
            if not step.holds:
                if retried:
                    break
                retried = True
                continue
            retried = False
            held = rate
            rate = round(rate * RATE_FACTOR, 1)
        hold_rate = held if held is not None else start_rate
        remaining = total_s - (time.monotonic() - began)
        hold = Step(rate=hold_rate, seconds=max(step_s, remaining))
        sampler = asyncio.create_task(_sample(demo_pid, began, result))
        try:
            await run_step(client, traffic, hold, budget)
        finally:
            sampler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sampler
        result.rss.append((time.monotonic() - began, rss_sample(demo_pid)))
        result.hold = hold
        print("hold: " + _step_line(hold), flush=True)
    return result


async def _sample(demo_pid: int, began: float, result: Soak) -> None:
    while True:
        await asyncio.sleep(15)
        result.rss.append((time.monotonic() - began, rss_sample(demo_pid)))


def _step_line(step: Step) -> str:
    return (
        f"{step.rate:g}/s for {step.seconds:.0f} s: {step.requests} requests, "
        f"p50 {step.quantile(0.5) * 1000:.0f} ms, p99 {step.quantile(0.99) * 1000:.0f} ms, "
        f"{step.failed} failed"
        + (f" ({dict(step.errors)}, shed {step.shed})" if step.failed else "")
    )


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def render(result: Soak) -> str:
    hold = result.hold
    assert hold is not None
    seconds = _env_int("CONVERGE_SOAK_SECONDS", 600)
    first, last = result.rss[0][1], result.rss[-1][1]
    lines = [
        SECTION,
        "",
        f"`make soak` ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC, `CONVERGE_SOAK_SECONDS={seconds}`): "
        "the demo federation (registry, gateway, three Nodes with metadata and impact, SQLite) "
        "on loopback, an open-loop mix of federated search (30 %), record reads through the "
        "gateway (15 %) and at a Node (10 %), OAI-PMH `ListRecords` pages (15 %), DCAT "
        "catalogues (10 %), the registry's Node list (10 %) and Node searches (10 %), from one "
        "client (the gateway's per-client rate limit is off for the run). The rate "
        f"ramps up by x{RATE_FACTOR} per step (after an uncounted warm-up) until a step misses "
        "p99 < 1 s or has an error twice in a row; the highest step that held is then held "
        "for the rest of the run, 40 % of which at most is spent ramping. The load generator "
        "shares the machine (2 cores) with the services and, during this run, with other work: "
        "the figures are a floor.",
        "",
        "| step | offered rate | requests | p50 | p99 | failed | held |",
        "|---|---|---|---|---|---|---|",
    ]
    if result.warmup is not None:
        warm = result.warmup
        lines.append(
            f"| warm-up (not counted) | {warm.rate:g}/s | {warm.requests} | "
            f"{_ms(warm.quantile(0.5))} | {_ms(warm.quantile(0.99))} | {warm.failed} | |"
        )
    for index, step in enumerate(result.ramp, 1):
        lines.append(
            f"| ramp {index} | {step.rate:g}/s | {step.requests} | {_ms(step.quantile(0.5))} | "
            f"{_ms(step.quantile(0.99))} | {step.failed} | {'yes' if step.holds else 'no'} |"
        )
    lines.append(
        f"| **hold** ({hold.seconds:.0f} s) | **{hold.rate:g}/s** | {hold.requests} | "
        f"{_ms(hold.quantile(0.5))} | {_ms(hold.quantile(0.99))} | {hold.failed} | "
        f"{'yes' if hold.holds else 'no'} |"
    )
    if hold.errors or hold.shed:
        lines += ["", f"Failures while holding: {dict(hold.errors)}, shed {hold.shed}."]
    lines += ["", "While holding, by kind of request:", "", "| request | count | p50 | p99 |"]
    lines.append("|---|---|---|---|")
    for kind, values in sorted(hold.by_kind.items()):
        lines.append(
            f"| {kind} | {len(values)} | {_ms(_quantile(values, 0.5))} | "
            f"{_ms(_quantile(values, 0.99))} |"
        )
    lines += [
        "",
        f"Resident memory (RSS) of each service process, sampled every 15 s "
        f"({len(result.rss)} samples):",
        "",
        "| process | start | end | change |",
        "|---|---|---|---|",
    ]
    for name in sorted(first):
        if name in last:
            start, end = first[name] / 1024, last[name] / 1024
            lines.append(f"| {name} | {start:.0f} MiB | {end:.0f} MiB | {end - start:+.0f} MiB |")
    return "\n".join(lines) + "\n"


def write_section(section: str) -> None:
    text = DOC.read_text() if DOC.exists() else "# Reliability and security\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOC.write_text(text)


def main() -> int:
    demo = start_demo()
    try:
        print("soak: starting the demo federation ...", flush=True)
        wait_for_federation(demo)
        result = asyncio.run(soak(demo.pid, record_ids()))
    finally:
        stop_demo(demo)
    section = render(result)
    write_section(section)
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Federated impact benchmark: 3, 10 and 30 simulated impact services on 127.0.0.1.

Each simulated Node serves the per-Node impact contract after a fixed delay, with a catalogue
of 45 indicators (five per pathway, every combination rule) and five years of monthly and
yearly values for each. The gateway runs in a second process, clients here (as in
``bench.gateway_fanout``, whose harness this reuses). Measures, per request kind, the gateway's
overhead over the slowest Node (the Node calls, validation of every answer, the agreement on
definitions and the combination), and profiles per second with 16 concurrent clients.
Writes the "## Gateway: federated impact" section of docs/benchmarks.md.

    uv run python -m bench.gateway_impact [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import re
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.gateway_fanout import (
    CLIENTS,
    DOC,
    NODE_DELAY_S,
    _distinct_ports,
    _run_served,
    cpu_seconds,
    pct,
)
from bench.gateway_fanout import Setup as SearchSetup
from bench.gateway_fanout import _one as search_once

PATHWAYS = (
    "research_efficiency",
    "resource_uptake",
    "infrastructure_sustainability",
    "skills_development",
    "equal_opportunity",
    "policy_influence",
    "public_awareness",
    "working_together",
    "scientific_legacy",
)
RULES = ("sum", "mean", "max", "latest", "sum")
YEARS = range(2021, 2026)
SERIES = "resource_uptake.indicator0"


def _node(index: int) -> Any:
    from tests.gateway.simnode import SimIndicator, SimNode, SimValue

    @dataclass
    class Memo(SimNode):
        """Answers each distinct request once: the harness must not be what limits."""

        memo: dict[Any, Any] = field(default_factory=dict)

        def impact(self, path: str, params: dict[str, list[str]]) -> dict[str, Any] | None:
            key = (path, tuple(sorted((k, tuple(v)) for k, v in params.items())))
            if key not in self.memo:
                self.memo[key] = super().impact(path, params)
            return self.memo[key]

    indicators = [
        SimIndicator(f"{pathway}.indicator{i}", rule, pathway=pathway)
        for pathway in PATHWAYS
        for i, rule in enumerate(RULES)
    ]
    values = []
    for indicator in indicators:
        for year in YEARS:
            at = f"{year + 1}-01-{index % 28 + 1:02d}T00:00:00Z"
            values.append(SimValue(indicator.code, str(year), year + index, at))
            values += [
                SimValue(indicator.code, f"{year}-{month:02d}", month + index, at)
                for month in range(1, 13)
            ]
    return Memo(indicators=indicators, values=values, delay_s=NODE_DELAY_S)


def _serve_nodes(ports: list[int], ready: Any) -> None:
    from tests.gateway.servers import LiveServer

    async def main() -> None:
        for index, port in enumerate(ports):
            await LiveServer(_node(index), port=port).start()
        ready.set()
        await asyncio.Event().wait()

    _run_served(main())


def _serve_gateway(port: int, node_ports: list[int], settings: dict[str, Any], ready: Any) -> None:
    from converge_gateway.app import create_app
    from converge_gateway.directory.schemas import NodeEntry
    from converge_gateway.settings import GatewaySettings

    from tests.gateway.servers import LiveServer

    async def main() -> None:
        app = create_app(GatewaySettings(**settings))
        await LiveServer(app, port=port).start()
        app.state.gateway.directory.replace(
            [
                NodeEntry(
                    f"n{i:02}",
                    f"Node {i}",
                    None,
                    "accepted",
                    metadata_url=None,
                    service_state=None,
                    impact_url=f"http://127.0.0.1:{p}",
                    impact_state="active",
                )
                for i, p in enumerate(node_ports)
            ]
        )
        ready.set()
        await asyncio.Event().wait()

    _run_served(main())


class Setup:
    def __init__(self, nodes: int) -> None:
        *self.node_ports, self.port = _distinct_ports(nodes + 1)
        self.settings = {
            "log_json": True,
            "log_level": "WARNING",
            "allow_private_targets": True,
            "cache_ttl_s": 0,
            "rate_limit_per_minute": 0,
            "directory_snapshot": False,
        }
        self.procs: list[multiprocessing.Process] = []

    def __enter__(self) -> str:
        ctx = multiprocessing.get_context("spawn")
        nodes_ready, gateway_ready = ctx.Event(), ctx.Event()
        self.procs.append(ctx.Process(target=_serve_nodes, args=(self.node_ports, nodes_ready)))
        self.procs[-1].start()
        if not nodes_ready.wait(120):
            raise RuntimeError("the simulated Nodes did not start")
        self.procs.append(
            ctx.Process(
                target=_serve_gateway,
                args=(self.port, self.node_ports, self.settings, gateway_ready),
            )
        )
        self.procs[-1].start()
        if not gateway_ready.wait(60):
            raise RuntimeError("the gateway did not start")
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        for proc in self.procs:
            proc.terminate()
            proc.join(10)


REQUESTS = {
    "series": (f"/api/v1/impact/indicators/{SERIES}", {"granularity": "month"}),
    "profile": ("/api/v1/impact/profile", {"period": "2025"}),
    "catalogue": ("/api/v1/impact/indicators", {}),
}


async def _one(client: httpx.AsyncClient, kind: str) -> tuple[float, dict[str, Any]]:
    path, params = REQUESTS[kind]
    start = time.perf_counter()
    response = await client.get(path, params=params)
    elapsed = time.perf_counter() - start
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return elapsed, body


async def overhead(url: str, kind: str, requests: int) -> tuple[float, float]:
    out = []
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        for i in range(requests + 5):
            elapsed, body = await _one(client, kind)
            if body["partial"]:
                raise RuntimeError(f"partial answer: {body['nodes']}")
            slowest = max((o["took_ms"] or 0) for o in body["nodes"])
            if i >= 5:
                out.append(elapsed * 1000 - slowest)
    return pct(out, 50), pct(out, 99)


async def concurrent(url: str, seconds: float) -> tuple[float, list[float], int]:
    """Whole (not partial) profiles per second, every latency, and the partial answers."""
    latencies: list[float] = []
    partial = 0
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal partial
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            while time.perf_counter() < stop:
                elapsed, body = await _one(client, "profile")
                latencies.append(elapsed * 1000)
                partial += body["partial"]

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CLIENTS)))
    whole = len(latencies) - partial
    return whole / (time.perf_counter() - start), latencies, partial


async def _searches(url: str, count: int) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        for i in range(count):
            await search_once(client, i)


def search_cpu(requests: int) -> float | None:
    """The gateway's CPU per federated search over 3 Nodes, measured in the same run: the
    yardstick for the figures above on whatever the machine is doing meanwhile."""
    setup = SearchSetup(3)
    with setup as url:
        asyncio.run(_searches(url, 10))
        before = cpu_seconds(setup.procs[1].pid)
        asyncio.run(_searches(url, requests))
        after = cpu_seconds(setup.procs[1].pid)
    return None if before is None or after is None else (after - before) * 1000 / requests


def run(quick: bool) -> list[dict[str, Any]]:
    rows = []
    for nodes in (3, 10, 30):
        row: dict[str, Any] = {"nodes": nodes}
        setup = Setup(nodes)
        with setup as url:
            pids = [proc.pid for proc in setup.procs]
            requests = 20 if quick else 100
            for kind in REQUESTS:
                # the gateway's CPU per request: its own cost, whatever else runs on the machine
                before_cpu = cpu_seconds(pids[1])
                row[kind] = asyncio.run(overhead(url, kind, requests))
                after_cpu = cpu_seconds(pids[1])
                row[f"{kind}_cpu"] = (
                    None
                    if before_cpu is None or after_cpu is None
                    else (after_cpu - before_cpu) * 1000 / (requests + 5)
                )
            before, started = [cpu_seconds(pid) for pid in pids], time.perf_counter()
            row["rps"], lat, row["partial"] = asyncio.run(concurrent(url, 2 if quick else 5))
            wall = time.perf_counter() - started
            after = [cpu_seconds(pid) for pid in pids]
            row["cpu"] = [
                None if a is None or b is None else (b - a) / wall
                for a, b in zip(before, after, strict=True)
            ]
            row["lat16"] = (pct(lat, 50), pct(lat, 99))
        print(row, flush=True)
        rows.append(row)
    return rows


def render(rows: list[dict[str, Any]], search: float | None) -> str:
    def share(value: float | None) -> str:
        return "?" if value is None else f"{value:.0%}"

    lines = [
        "## Gateway: federated impact",
        "",
        "`uv run python -m bench.gateway_impact` (harness of `bench.gateway_fanout`: simulated "
        f"impact services answering after {NODE_DELAY_S * 1000:.0f} ms, each with 45 indicators "
        "and five years of monthly and yearly values; 127.0.0.1, 2 shared cores; cache off). "
        "Overhead is the answer time as a client sees it minus the slowest Node's `took_ms`: "
        "the gateway's own work (calls, validation of every answer, agreement on definitions, "
        "combination). Series: one indicator by month (60 points per Node, two calls per Node); "
        "profile: one year, 45 values per Node plus its catalogue; catalogue: 45 indicators per "
        "Node.",
        "",
        "| Nodes | series overhead p50 / p99 (ms) | profile overhead p50 / p99 (ms) "
        "| catalogue overhead p50 / p99 (ms) | gateway CPU per series / profile / catalogue "
        "(ms) | whole profiles/s, 16 clients | profile latency p50 / p99, 16 clients (ms) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def ms(value: float | None) -> str:
        return "?" if value is None else f"{value:.1f}"

    for r in rows:
        partial = f" ({r['partial']} partial)" if r["partial"] else ""
        lines.append(
            f"| {r['nodes']} | {r['series'][0]:.1f} / {r['series'][1]:.1f} "
            f"| {r['profile'][0]:.1f} / {r['profile'][1]:.1f} "
            f"| {r['catalogue'][0]:.1f} / {r['catalogue'][1]:.1f} "
            f"| {ms(r['series_cpu'])} / {ms(r['profile_cpu'])} / {ms(r['catalogue_cpu'])} "
            f"| {r['rps']:.0f}{partial} "
            f"| {r['lat16'][0]:.0f} / {r['lat16'][1]:.0f} |"
        )
    cpu = "; ".join(
        f"{r['nodes']} Nodes: simulated Nodes {share(r['cpu'][0])}, gateway {share(r['cpu'][1])}"
        for r in rows
    )
    averages = os.getloadavg()
    load = ", ".join(f"{x:.1f}" for x in averages)
    busy = (
        " The machine was busy with other work (load above its cores) throughout: the "
        "16-client columns show the share of it the gateway got, not what the gateway can do; "
        "rerun on an idle machine for those."
        if min(averages) > (os.cpu_count() or 1)
        else ""
    )
    lines += [
        "",
        f"CPU while the 16 clients ran (share of one core): {cpu}. Load average when the run "
        f"ended: {load}. For scale, a federated search over 3 Nodes (one call per Node) cost "
        f"the gateway {ms(search)} ms of CPU in the same run: the impact figures are read "
        "against that, since other work on the machine stretches latencies and CPU times "
        f"alike.{busy}",
        "",
        "",
    ]
    return "\n".join(lines)


def write(section: str) -> None:
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n\n"
    pattern = re.compile(r"^## Gateway: federated impact\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(section, text)
    else:
        # after the gateway's own sections
        anchor = re.search(r"^## Metadata catalogue\n", text, re.M)
        at = anchor.start() if anchor else len(text)
        text = text[:at].rstrip() + "\n\n" + section + text[at:]
    DOC.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer requests (a smoke run)")
    args = parser.parse_args()
    rows = run(args.quick)
    write(render(rows, search_cpu(20 if args.quick else 100)))


if __name__ == "__main__":
    main()

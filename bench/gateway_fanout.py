"""Gateway fan-out benchmark: 3, 10 and 30 simulated Nodes on 127.0.0.1.

Simulated Nodes (one process, each on its own port) answer the Node search shape after a fixed
delay; the gateway runs in a second process with the directory pointing at them; clients run
here. Both served processes run on uvloop, as uvicorn runs the services in deployment (its
default loop when uvloop is installed, as uvicorn[standard] does).

Measures the gateway's own overhead over the slowest Node's answer, the tail latency with one
Node hanging, and searches per second with 16 concurrent clients (searches the client gave up
on are counted apart, not as answered), with the share of a core the simulated Nodes and the
gateway used meanwhile: if the Nodes' process nears a whole core, the harness, not the
gateway, is the limit. Writes the figures under "## Gateway" in docs/benchmarks.md (other
sections are kept).

    uv run python -m bench.gateway_fanout [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import re
import socket
import statistics
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import httpx

NODE_DELAY_S = 0.020
CLIENTS = 16
DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def _run_served(main: Coroutine[Any, Any, None]) -> None:
    """Run a served process's loop as uvicorn runs it in service (uvloop when installed)."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        asyncio.run(main)
    else:
        uvloop.run(main)


def _serve_nodes(ports: list[int], hanging: int, ready: Any) -> None:
    from tests.gateway.servers import LiveServer
    from tests.gateway.simnode import SimNode, SimRecord

    async def main() -> None:
        for index, port in enumerate(ports):
            records = [SimRecord(f"r{i}", f"protein sample {i}") for i in range(40)]
            mode = "hang" if index < hanging else "ok"
            await LiveServer(SimNode(records, mode=mode, delay_s=NODE_DELAY_S), port=port).start()
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
                    f"n{i:02}", f"Node {i}", None, "accepted", f"http://127.0.0.1:{p}", "active"
                )
                for i, p in enumerate(node_ports)
            ]
        )
        ready.set()
        await asyncio.Event().wait()

    _run_served(main())


def _distinct_ports(count: int) -> list[int]:
    # hold every socket until all are chosen, so no port comes up twice
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for sock in sockets:
            sock.close()


class Setup:
    def __init__(self, nodes: int, *, hanging: int = 0, **settings: Any) -> None:
        *self.node_ports, self.port = _distinct_ports(nodes + 1)
        self.hanging = hanging
        self.settings = {
            "log_json": True,
            "log_level": "WARNING",
            "allow_private_targets": True,
            "cache_ttl_s": 0,
            "rate_limit_per_minute": 0,
            "directory_snapshot": False,
            "breaker_failures": 1_000_000,
            **settings,
        }
        self.procs: list[multiprocessing.Process] = []

    def __enter__(self) -> str:
        ctx = multiprocessing.get_context("spawn")
        nodes_ready, gateway_ready = ctx.Event(), ctx.Event()
        self.procs.append(
            ctx.Process(target=_serve_nodes, args=(self.node_ports, self.hanging, nodes_ready))
        )
        self.procs[-1].start()
        if not nodes_ready.wait(60):
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


def cpu_seconds(pid: int | None) -> float | None:
    """CPU time a process has used so far (Linux), to tell whose CPU a run is short of."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def _one(client: httpx.AsyncClient) -> tuple[float, dict[str, Any]]:
    # the gateway's cache is off: identical searches are each fanned out
    start = time.perf_counter()
    response = await client.get("/api/v1/search", params={"q": "protein", "limit": 20})
    elapsed = time.perf_counter() - start
    response.raise_for_status()
    return elapsed, response.json()


async def overhead(url: str, requests: int) -> tuple[float, float]:
    """Gateway latency minus the slowest Node's time, as the gateway measured it (ms)."""
    out = []
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        for i in range(requests + 10):
            elapsed, body = await _one(client)
            slowest = max((s["ms"] or 0) for s in body["nodes"].values())
            if i >= 10:  # warm connections first
                out.append(elapsed * 1000 - slowest)
    return pct(out, 50), pct(out, 99)


async def concurrent(url: str, seconds: float) -> tuple[float, list[float], int]:
    """Searches answered per second by CLIENTS clients in a loop, latencies, and time-outs.

    A search that times out on the client counts its wait among the latencies but not as an
    answered search.
    """
    latencies: list[float] = []
    timeouts = 0
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal timeouts
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            while time.perf_counter() < stop:
                started = time.perf_counter()
                try:
                    elapsed, _ = await _one(client)
                except httpx.TimeoutException:
                    # a saturated machine: count the wait, do not abort the run
                    elapsed = time.perf_counter() - started
                    timeouts += 1
                latencies.append(elapsed * 1000)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CLIENTS)))
    answered = len(latencies) - timeouts
    return answered / (time.perf_counter() - start), latencies, timeouts


async def hanging_tail(url: str, rounds: int) -> tuple[float, float, float]:
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        for _ in range(rounds):
            results = await asyncio.gather(*(_one(client) for _ in range(CLIENTS)))
            latencies += [elapsed * 1000 for elapsed, body in results]
            assert all(body["nodes"]["n00"]["status"] == "timeout" for _, body in results)
    return pct(latencies, 50), pct(latencies, 99), max(latencies)


def run(quick: bool) -> list[dict[str, Any]]:
    rows = []
    for nodes in (3, 10, 30):
        row: dict[str, Any] = {"nodes": nodes}
        setup = Setup(nodes)
        with setup as url:
            row["overhead_p50"], row["overhead_p99"] = asyncio.run(
                overhead(url, 50 if quick else 200)
            )
            pids = [proc.pid for proc in setup.procs]
            before, started = [cpu_seconds(pid) for pid in pids], time.perf_counter()
            row["rps"], lat, row["timeouts16"] = asyncio.run(concurrent(url, 2 if quick else 5))
            wall = time.perf_counter() - started
            after = [cpu_seconds(pid) for pid in pids]
            # share of one core used by the simulated Nodes and by the gateway meanwhile
            row["cpu_nodes"], row["cpu_gateway"] = (
                None if a is None or b is None else (b - a) / wall
                for a, b in zip(before, after, strict=True)
            )
            row["lat16_p50"], row["lat16_p99"] = pct(lat, 50), pct(lat, 99)
        with Setup(nodes, hanging=1, deadline_s=2.0, node_timeout_s=2.0) as url:
            row["hang_p50"], row["hang_p99"], row["hang_max"] = asyncio.run(
                hanging_tail(url, 2 if quick else 4)
            )
        print(row, flush=True)
        rows.append(row)
    return rows


def render(rows: list[dict[str, Any]]) -> str:
    lines = [
        "## Gateway",
        "",
        "`uv run python -m bench.gateway_fanout` (simulated Nodes answering after "
        f"{NODE_DELAY_S * 1000:.0f} ms, one process; the gateway in another, both on uvloop as "
        "in deployment; clients in a third; "
        f"127.0.0.1, 2 shared cores; deadline 2 s; cache off). Overhead is the gateway's answer "
        "time as a client sees it minus the slowest Node's time as the gateway measured it.",
        "",
        "| Nodes | overhead p50 (ms) | overhead p99 (ms) | searches/s, 16 clients "
        "| latency p50 / p99, 16 clients (ms) | one Node hanging: p50 / p99 / max (ms) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        timed_out = f" ({r['timeouts16']} timed out)" if r.get("timeouts16") else ""
        lines.append(
            f"| {r['nodes']} | {r['overhead_p50']:.1f} | {r['overhead_p99']:.1f} "
            f"| {r['rps']:.0f} | "
            f"{r['lat16_p50']:.0f} / {r['lat16_p99']:.0f}{timed_out} | "
            f"{r['hang_p50']:.0f} / {r['hang_p99']:.0f} / {r['hang_max']:.0f} |"
        )
    lines += ["", "CPU while the 16 clients ran (share of one core): " + _cpu_note(rows) + "."]
    lines += [
        "",
        "Targets: overhead p50 <= 10 ms at 10 Nodes; p99 with one Node hanging <= deadline + "
        "50 ms (2050 ms). The breaker is held closed here so every request meets the hanging "
        "Node; in service it opens after `BREAKER_FAILURES` timeouts and the Node is skipped.",
        "",
    ]
    return "\n".join(lines)


def _cpu_note(rows: list[dict[str, Any]]) -> str:
    def share(value: float | None) -> str:
        return "?" if value is None else f"{value:.0%}"

    return "; ".join(
        f"{r['nodes']} Nodes: simulated Nodes {share(r.get('cpu_nodes'))}, "
        f"gateway {share(r.get('cpu_gateway'))}"
        for r in rows
    )


def write(section: str) -> None:
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n\n"
    pattern = re.compile(r"^## Gateway\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section
    DOC.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer requests (a smoke run)")
    args = parser.parse_args()
    rows = run(args.quick)
    write(render(rows))
    print(statistics.mean(r["overhead_p50"] for r in rows))


if __name__ == "__main__":
    main()

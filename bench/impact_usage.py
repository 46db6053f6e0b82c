"""COUNTER usage benchmark: events processed per second, a year's DSR for 100k datasets and
10M events, and the cost event recording adds to a record read.

    uv run python -m bench.impact_usage [--quick] [--no-docs]

1. Processing rate: the Code of Practice rules (double clicks, sessions, uniques) over 1M
   synthetic events of one month held in arrays (``converge_impact.usage.processing``); and
   end to end, a Combined Log Format file of 200k lines loaded into a fresh SQLite database
   (parse, classify robots/machines, hash, store, recount the month).
2. A year's DSR: 10M events over 100k datasets, generated month by month in memory (about
   830k events a month, never all at once), each month counted and its rows written to a
   fresh SQLite database by the service's ``store_month``, then the year's DSR fetched from
   the impact app's ``/api/v1/reports/dsr`` in-process, as JSON and as TSV.
3. Recording cost: ``GET /api/v1/records/{id}`` in-process (httpx ASGI transport, no network)
   on one app, its recorder switched on and off between blocks of 20 reads in ABBA order; the
   median of the pairs' p50 differences with its spread, the same for CPU time, and the
   recording call alone over 100k calls.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import io
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import orjson
from converge_common.db import Database, upgrade_database

from bench.report import write_section

ROOT = Path(__file__).resolve().parents[1]
SEED = 20251203
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"


def synthetic_month(
    rng: np.random.Generator, *, n: int, datasets: int, month_start_s: int, days: int = 30
) -> Any:
    """Arrays of one month's events: skewed dataset popularity, repeat visitors, double
    clicks, 20% requests, 15% machine access."""
    from converge_impact.usage.processing import EventArrays

    popularity = rng.zipf(1.3, n) % datasets
    users = rng.integers(0, max(1, n // 6), n)
    occurred = month_start_s + rng.integers(0, days * 86_400, n)
    # a tenth of the events repeat the one before within a minute (double clicks and not)
    repeat = rng.random(n) < 0.1
    repeat[0] = False
    prev = np.flatnonzero(repeat) - 1
    popularity[repeat] = popularity[prev]
    users[repeat] = users[prev]
    occurred[repeat] = occurred[prev] + rng.integers(0, 60, int(repeat.sum()))
    kind = (rng.random(n) < 0.2).astype(np.int64)
    resource = np.where(kind == 1, 9, rng.integers(0, 4, n))
    return EventArrays(
        occurred_s=occurred.astype(np.int64),
        dataset=popularity.astype(np.int64),
        kind=kind,
        access=(rng.random(n) < 0.15).astype(np.int64),
        resource=resource.astype(np.int64),
        user=users.astype(np.int64),
        user_by_address=rng.random(n) < 0.7,
    )


def bench_engine(n: int) -> dict[str, float]:
    from converge_impact.usage.processing import count_usage

    rng = np.random.default_rng(SEED)
    start = int(datetime(2025, 3, 1, tzinfo=UTC).timestamp())
    events = synthetic_month(rng, n=n, datasets=100_000, month_start_s=start)
    count_usage(events)  # warm up numpy's code paths
    began = time.perf_counter()
    counts = count_usage(events, count_from_s=start, count_until_s=start + 31 * 86_400)
    took = time.perf_counter() - began
    return {"events": n, "seconds": took, "rate": n / took, "rows": len(counts)}


def _clf(n: int) -> bytes:
    rng = np.random.default_rng(SEED)
    agents = [FIREFOX] * 6 + ["curl/8.4.0", "python-requests/2.31.0", "Googlebot/2.1"]
    start = int(datetime(2025, 3, 1, tzinfo=UTC).timestamp())
    stamps = np.sort(start + rng.integers(0, 30 * 86_400, n))
    datasets = rng.zipf(1.3, n) % 5_000
    clients = rng.integers(0, n // 6, n)
    downloads = rng.random(n) < 0.2
    agent_of = rng.integers(0, len(agents), n)
    out = io.StringIO()
    for i in range(n):
        when = datetime.fromtimestamp(int(stamps[i]), UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")
        ip = f"10.{clients[i] >> 16 & 255}.{clients[i] >> 8 & 255}.{clients[i] & 255}"
        if downloads[i]:
            path, status = f"/api/v1/records/ds{datasets[i]}/distributions/0/download", 302
        else:
            path, status = f"/api/v1/records/ds{datasets[i]}", 200
        out.write(
            f'{ip} - - [{when}] "GET {path} HTTP/1.1" {status} 512 "-" "{agents[agent_of[i]]}"\n'
        )
    return out.getvalue().encode()


async def bench_load(n: int, workdir: Path) -> dict[str, float]:
    from converge_impact.app import MIGRATIONS
    from converge_impact.usage.loading import load_file

    body = _clf(n)
    url = f"sqlite+aiosqlite:///{workdir / 'load.db'}"
    await asyncio.to_thread(upgrade_database, MIGRATIONS, url)
    db = Database.from_url(url)
    try:
        began = time.perf_counter()
        async for session in db.session():
            report = await load_file(session, io.BytesIO(body), format="clf")
        took = time.perf_counter() - began
    finally:
        await db.dispose()
    return {"lines": n, "seconds": took, "rate": n / took, "counted": report.counted}


async def bench_year(total_events: int, datasets: int, workdir: Path) -> dict[str, float]:
    from converge_impact.app import MIGRATIONS, create_app
    from converge_impact.models import UsageDataset
    from converge_impact.settings import ImpactSettings
    from converge_impact.usage import service
    from converge_impact.usage.processing import count_usage
    from sqlalchemy import insert

    url = f"sqlite+aiosqlite:///{workdir / 'year.db'}"
    await asyncio.to_thread(upgrade_database, MIGRATIONS, url)
    db = Database.from_url(url)
    rng = np.random.default_rng(SEED)
    per_month = total_events // 12
    counting = writing = counting_cpu = writing_cpu = 0.0
    rows_written = 0
    dataset_ids = [f"ds{i}" for i in range(datasets)]
    try:
        async for session in db.session():
            await session.execute(
                insert(UsageDataset),
                [{"id": f"ds{i}", "title": f"Dataset {i}", "doi": f"10.1234/ds{i}",
                  "publisher": "ELIXIR", "publication_year": 2020} for i in range(datasets)],
            )  # fmt: skip
        for month in range(1, 13):
            start = int(datetime(2025, month, 1, tzinfo=UTC).timestamp())
            until = int(datetime(2025 + month // 12, month % 12 + 1, 1, tzinfo=UTC).timestamp())
            events = synthetic_month(
                rng, n=per_month, datasets=datasets, month_start_s=start, days=28
            )
            began, began_cpu = time.perf_counter(), time.process_time()
            counts = count_usage(events, count_from_s=start, count_until_s=until)
            counting += time.perf_counter() - began
            counting_cpu += time.process_time() - began_cpu
            began, began_cpu = time.perf_counter(), time.process_time()
            async for session in db.session():  # what process_months does after counting
                rows_written += await service.store_month(
                    session, f"2025-{month:02d}", counts, dataset_ids
                )
            writing += time.perf_counter() - began
            writing_cpu += time.process_time() - began_cpu
    finally:
        await db.dispose()
    # the report as a client gets it: the endpoint, in-process (no network)
    settings = ImpactSettings(
        database_url=url, data_dir=workdir, node_id="xx", usage_platform="Demo",
        auto_migrate=False, log_level="WARNING",
    )  # fmt: skip
    app = create_app(settings)
    params = {"begin_date": "2025-01", "end_date": "2025-12"}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://b", timeout=600
        ) as client:
            timed: dict[str, float] = {}
            timed_cpu: dict[str, float] = {}
            sizes: dict[str, int] = {}
            for name in ("json", "tsv"):
                began, began_cpu = time.perf_counter(), time.process_time()
                response = await client.get(
                    "/api/v1/reports/dsr", params={**params, "format": name}
                )
                timed[name] = time.perf_counter() - began
                timed_cpu[name] = time.process_time() - began_cpu
                assert response.status_code == 200, response.text[:500]
                sizes[name] = len(response.content)
                if name == "json":
                    items = len(orjson.loads(response.content)["Report_Datasets"])
                del response
    return {
        "events": per_month * 12,
        "datasets": datasets,
        "counting": counting,
        "writing": writing,
        "reporting": timed["json"],
        "reporting_tsv": timed["tsv"],
        "total": counting + writing + timed["json"],
        "counting_cpu": counting_cpu,
        "writing_cpu": writing_cpu,
        "reporting_cpu": timed_cpu["json"],
        "reporting_tsv_cpu": timed_cpu["tsv"],
        "total_cpu": counting_cpu + writing_cpu + timed_cpu["json"],
        "rows": rows_written,
        "report_mb": sizes["json"] / 1e6,
        "tsv_mb": sizes["tsv"] / 1e6,
        "report_items": items,
    }


async def bench_recording(requests: int, workdir: Path) -> dict[str, float]:
    from converge_metadata.app import MIGRATIONS, create_app
    from converge_metadata.records.service import create_record
    from converge_metadata.settings import MetadataSettings
    from converge_metadata.vocab import default_data_dir, load_vocabularies

    url = f"sqlite+aiosqlite:///{workdir / 'metadata.db'}"
    await asyncio.to_thread(upgrade_database, MIGRATIONS, url)
    db = Database.from_url(url)
    vocab = load_vocabularies(default_data_dir())
    record = {
        "id": "mouse-atlas", "type": "Dataset", "status": "published",
        "title": {"en": "Mouse brain atlas"}, "description": {"en": "Single-cell atlas."},
        "license": "CC-BY-4.0", "issued": "2023-05-01",
        "dataset": {"distributions": [{"download_url": "https://example.org/atlas.h5ad"}]},
    }  # fmt: skip
    async for session in db.session():
        await create_record(session, record, actor="bench", vocab=vocab)
    await db.dispose()

    settings = MetadataSettings(
        database_url=url, data_dir=workdir, node_id="xx", auto_migrate=False, log_level="WARNING"
    )
    app = create_app(settings)
    headers = {"User-Agent": FIREFOX}
    block = 20
    pairs = max(2, requests // (2 * block))
    # per pair of blocks (one on, one off): the difference of their p50s, and of their CPU time
    # per request; the background writer is kept out of both (the queue is written between
    # blocks, untimed), its cost is measured on its own below
    latency_diffs: list[float] = []
    cpu_diffs: list[float] = []
    timings: dict[bool, list[float]] = {True: [], False: []}
    async with app.router.lifespan_context(app):
        recorder = app.state.usage
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://b") as client:
            for _ in range(200):
                await client.get("/api/v1/records/mouse-atlas", headers=headers)
            await recorder.flush()
            for pair in range(pairs):
                medians: dict[bool, float] = {}
                cpu: dict[bool, float] = {}
                # ABBA: which half goes first alternates, so drift and order effects cancel
                for recording in (True, False) if pair % 2 == 0 else (False, True):
                    recorder.enabled = recording
                    took = []
                    cpu_began = time.process_time()
                    for _ in range(block):
                        began = time.perf_counter_ns()
                        response = await client.get("/api/v1/records/mouse-atlas", headers=headers)
                        took.append(time.perf_counter_ns() - began)
                        assert response.status_code == 200
                    cpu[recording] = (time.process_time() - cpu_began) / block
                    medians[recording] = statistics.median(took)
                    timings[recording].extend(took)
                    await recorder.flush()
                    gc.collect()  # the write's garbage is the write's cost, not the next block's
                latency_diffs.append(medians[True] - medians[False])
                cpu_diffs.append(cpu[True] - cpu[False])
            recorder.enabled = True
            # the recording call alone, each on a fresh request object (its headers and cookies
            # not yet parsed): 100k calls in rounds under the queue's bound (none dropped), the
            # queue written between rounds, untimed
            calls = spent = spent_cpu = 0
            for round_ in range(20):
                fresh = [_request(app, headers) for _ in range(5_000)]
                began, began_cpu = time.perf_counter_ns(), time.process_time_ns()
                for request in fresh:
                    recorder.record(request, record_id="mouse-atlas", channel="api", version=1)
                spent += time.perf_counter_ns() - began
                spent_cpu += time.process_time_ns() - began_cpu
                calls += 5_000
                if round_ < 19:  # the last round's queue is the write measured below
                    await recorder.flush()
            per_call_us = spent / calls / 1000
            per_call_cpu_us = spent_cpu / calls / 1000
            began_wall, began_cpu = time.perf_counter(), time.process_time()
            written = await recorder.flush()
            write_us = (time.perf_counter() - began_wall) / max(1, written) * 1e6
            write_cpu_us = (time.process_time() - began_cpu) / max(1, written) * 1e6
    quartiles = np.percentile(np.asarray(latency_diffs) / 1e6, [25, 50, 75])
    cpu_quartiles = np.percentile(np.asarray(cpu_diffs) * 1000, [25, 50, 75])
    return {
        "requests": len(timings[True]),
        "pairs": pairs,
        "block": block,
        "p50_on_ms": statistics.median(timings[True]) / 1e6,
        "p50_off_ms": statistics.median(timings[False]) / 1e6,
        "cost_ms": float(quartiles[1]),
        "cost_q1_ms": float(quartiles[0]),
        "cost_q3_ms": float(quartiles[2]),
        "cost_ci_ms": _median_ci(np.asarray(latency_diffs) / 1e6),
        "cpu_cost_ms": float(cpu_quartiles[1]),
        "cpu_q1_ms": float(cpu_quartiles[0]),
        "cpu_q3_ms": float(cpu_quartiles[2]),
        "calls": calls,
        "call_us": per_call_us,
        "call_cpu_us": per_call_cpu_us,
        "write_us": write_us,
        "write_cpu_us": write_cpu_us,
    }


def _median_ci(values: Any, rounds: int = 2000) -> tuple[float, float]:
    """A 95% bootstrap interval of the median."""
    rng = np.random.default_rng(SEED)
    medians = np.median(rng.choice(values, size=(rounds, len(values))), axis=1)
    low, high = np.percentile(medians, [2.5, 97.5])
    return float(low), float(high)


def _request(app: Any, headers: dict[str, str]) -> Any:
    from starlette.requests import Request

    scope = {
        "type": "http",
        "app": app,
        "method": "GET",
        "path": "/api/v1/records/mouse-atlas",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("192.0.2.1", 50000),
        "query_string": b"",
        "state": {},
    }
    return Request(scope)


def _load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[1]
    except OSError:
        return "unknown"


def markdown(engine: dict[str, float], load: dict[str, float], year: dict[str, Any],
             rec: dict[str, Any], command: str, load_average: str) -> str:  # fmt: skip
    ci_low, ci_high = rec["cost_ci_ms"]
    return "\n".join(
        [
            f"Command: `{command}`. The machine is shared with other agents' test runs during "
            f"the measurement (2 cores for 9 agents; 5-minute load average {load_average} at "
            "the end), so wall times are pessimistic and noisy; the CPU time of the process "
            "(in brackets) is what the work itself took.",
            "",
            "| measure | result | target |",
            "|---|---|---|",
            f"| COUNTER processing, {engine['events']:,.0f} events of one month in arrays "
            f"| {engine['rate']:,.0f} events/s ({engine['seconds']:.2f} s, "
            f"{engine['rows']:,.0f} monthly rows) | ≥ 100,000 events/s |",
            f"| end to end: a {load['lines']:,.0f}-line CLF file into SQLite (parse, classify, "
            f"hash, store, recount) | {load['rate']:,.0f} lines/s ({load['seconds']:.1f} s) | — |",
            f"| a year's DSR, {year['datasets']:,.0f} datasets, {year['events']:,.0f} events: "
            f"count 12 months | {year['counting']:.1f} s ({year['counting_cpu']:.1f} s CPU) | |",
            f"| ... write {year['rows']:,.0f} monthly rows (SQLite) | {year['writing']:.1f} s "
            f"({year['writing_cpu']:.1f} s CPU) | |",
            f"| ... `GET /api/v1/reports/dsr` for the year, JSON ({year['report_items']:,.0f} "
            f"items, {year['report_mb']:.0f} MB, streamed) | {year['reporting']:.1f} s "
            f"({year['reporting_cpu']:.1f} s CPU) | |",
            f"| ... total | {year['total']:.1f} s ({year['total_cpu']:.1f} s CPU) | ≤ 60 s |",
            f"| ... the same report as TSV ({year['tsv_mb']:.0f} MB) | "
            f"{year['reporting_tsv']:.1f} s ({year['reporting_tsv_cpu']:.1f} s CPU) | — |",
            f"| record read `GET /api/v1/records/{{id}}` p50, recording on | "
            f"{rec['p50_on_ms']:.3f} ms | |",
            f"| ... recording off (same app, {rec['pairs']} ABBA pairs of "
            f"{rec['block']}-request blocks, {rec['requests']:,.0f} reads each) | "
            f"{rec['p50_off_ms']:.3f} ms | |",
            f"| cost of recording: median of the pairs' p50 differences (quartiles; 95% "
            f"interval of the median) | {rec['cost_ms']:.3f} ms ({rec['cost_q1_ms']:.3f} to "
            f"{rec['cost_q3_ms']:.3f}; {ci_low:.3f} to {ci_high:.3f}) | ≤ 0.2 ms |",
            f"| ... the same for CPU time per read | {rec['cpu_cost_ms']:.3f} ms "
            f"({rec['cpu_q1_ms']:.3f} to {rec['cpu_q3_ms']:.3f}) | |",
            f"| the recording call on the request path (queue append), mean of "
            f"{rec['calls']:,.0f} calls | {rec['call_us']:.1f} µs ({rec['call_cpu_us']:.1f} µs "
            "CPU) | ≤ 200 µs |",
            f"| the background write per event (hash, batch inserts of 500, SQLite) | "
            f"{rec['write_us']:.1f} µs ({rec['write_cpu_us']:.1f} µs CPU) | |",
            "",
            "The year's events are generated in memory month by month (Zipf-skewed dataset "
            "popularity, a tenth repeated within a minute, 20% requests, 15% machine access, 70% "
            "of users identified by address), counted by the function the service runs per "
            "month and written by the service's own `store_month`; the service additionally "
            "reads each month's events from its database. The report is fetched from the "
            "impact app's endpoint in-process (httpx ASGI transport, no network), as a client "
            "gets it. The recording cost is measured in-process too, where it is largest "
            "relative to the read: one app, its recorder switched on and off between blocks "
            "of reads, in ABBA order so that drift cancels; the queue is written between "
            "blocks, untimed, so the difference is what the request itself waits for, and the "
            "background write is measured on its own. On a loaded machine the per-pair "
            "differences spread over milliseconds, so the direct time of the recording call "
            "(all the request path adds) is the figure that bounds the cost.",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args(argv)
    engine_n, load_n, year_n, datasets, requests = (
        (200_000, 20_000, 1_200_000, 10_000, 400)
        if args.quick
        else (1_000_000, 200_000, 10_000_000, 100_000, 6_000)
    )
    with tempfile.TemporaryDirectory(prefix="bench-usage-") as tmp:
        workdir = Path(tmp)
        engine = bench_engine(engine_n)
        print("engine", engine, flush=True)
        load = asyncio.run(bench_load(load_n, workdir))
        print("load", load, flush=True)
        year = asyncio.run(bench_year(year_n, datasets, workdir))
        print("year", year, flush=True)
        rec = asyncio.run(bench_recording(requests, workdir))
        print("recording", rec, flush=True)
    command = "uv run python -m bench.impact_usage" + (" --quick" if args.quick else "")
    section = markdown(engine, load, year, rec, command, _load_average())
    print(section)
    if not args.no_docs and not args.quick:
        write_section("Impact: COUNTER usage", section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Metadata catalogue benchmark: import rate, search latency and throughput, RSS, DB time.

Generates a corpus (bench/metadata_corpus.py), loads it into a fresh SQLite database with the
importers' ``upsert_records``, starts the service with uvicorn on 127.0.0.1, and measures a
fixed mixed set of 100 queries with facets: latency with one client, throughput with 16, the
service's RSS, and the same queries' raw database time in-process (the API overhead ratio).

    uv run python -m bench.metadata_search --size 100000 [--write-docs]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from converge_common.db import Database, upgrade_database
from converge_metadata.app import MIGRATIONS
from converge_metadata.records.schemas import RecordCreate
from converge_metadata.records.upsert import upsert_records
from converge_metadata.search.repository import SearchSql
from converge_metadata.search.schemas import SearchFilters
from converge_metadata.search.service import canonical_filters
from converge_metadata.vocab import default_data_dir, load_vocabularies

from bench.metadata_corpus import Pools, generate

ROOT = Path(__file__).resolve().parents[1]
BATCH = 2000


def queries(seed: int = 7) -> list[dict[str, Any]]:
    """100 fixed searches: words, phrases, filtered, browse-with-filters, sorted."""
    vocab = load_vocabularies(default_data_dir())
    pools = Pools(vocab, default_data_dir())
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    out += [{"q": t.label.split()[0]} for t in rng.sample(pools.topics, 40)]
    out += [{"q": " ".join(rng.sample(pools.words, 2))} for _ in range(20)]
    out += [
        {"q": rng.choice(pools.words), "type": rng.choice(["Dataset", "Software"])}
        for _ in range(15)
    ]
    out += [{"organism": str(rng.choice(pools.common_taxa))} for _ in range(10)]
    out += [{"type": "Dataset", "year_from": 2015, "year_to": 2018 + i % 4} for i in range(10)]
    out += [{"q": rng.choice(pools.words), "sort": "title"} for _ in range(5)]
    return out


async def load(url: str, size: int) -> tuple[float, int]:
    vocab = load_vocabularies(default_data_dir())
    corpus = list(generate(size))
    db = Database.from_url(url)
    stored = 0
    started = time.perf_counter()
    try:
        for start in range(0, size, BATCH):
            batch = [RecordCreate.model_validate(b) for b in corpus[start : start + BATCH]]
            async for session in db.session():
                report = await upsert_records(session, batch, actor="bench", vocab=vocab)
                stored += report.stored
    finally:
        await db.dispose()
    return time.perf_counter() - started, stored


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_mb(pid: int) -> tuple[float, float]:
    fields = dict(
        line.split(":", 1)
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if ":" in line
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


async def _wait_ready(client: httpx.AsyncClient) -> None:
    for _ in range(300):
        try:
            if (await client.get("/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("the service did not become ready")


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


async def http_figures(base: str, qs: list[dict[str, Any]], total: int) -> dict[str, float]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        await _wait_ready(client)
        for q in qs:  # warm the page cache and the service
            (await client.get("/api/v1/search", params=q)).raise_for_status()
        latencies = []
        for q in qs:
            t0 = time.perf_counter()
            (await client.get("/api/v1/search", params=q)).raise_for_status()
            latencies.append((time.perf_counter() - t0) * 1000)
    limits = httpx.Limits(max_connections=16)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        counter = iter(range(total))

        async def worker() -> None:
            for i in counter:
                (await client.get("/api/v1/search", params=qs[i % len(qs)])).raise_for_status()

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(16)))
        elapsed = time.perf_counter() - t0
    return {"p50": _pct(latencies, 0.5), "p95": _pct(latencies, 0.95), "rps": total / elapsed}


async def db_figures(url: str, qs: list[dict[str, Any]]) -> dict[str, float]:
    """The same searches' SQL (page, facets, snippets) without HTTP or response building."""
    vocab = load_vocabularies(default_data_dir())
    db = Database.from_url(url)
    timings = []
    try:
        async for session in db.session():
            sql = SearchSql(session.get_bind().dialect.name)
            for rep in range(2):
                for q in qs:
                    params = {k: v for k, v in q.items() if k != "sort"}
                    for key in ("type", "organism"):
                        if key in params:
                            params[key] = [params[key]]
                    filters = canonical_filters(SearchFilters(**params), vocab)
                    t0 = time.perf_counter()
                    match = sql.match(filters, steward=False, today=datetime.now(UTC).date())
                    order = q.get("sort") or ("relevance" if match.has_query else "date")
                    rows = await sql.page(session, match, order=order, after=None, limit=21)
                    await sql.facet_counts(session, match)
                    await sql.snippets(session, match, [r.pk for r in rows])
                    if rep:
                        timings.append((time.perf_counter() - t0) * 1000)
    finally:
        await db.dispose()
    return {"p50": _pct(timings, 0.5), "p95": _pct(timings, 0.95)}


def run(size: int, workdir: Path, requests: int) -> dict[str, Any]:
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / f"metadata-{size}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite+aiosqlite:///{path}"
    upgrade_database(MIGRATIONS, url)
    seconds, stored = asyncio.run(load(url, size))
    port = _port()
    env = {
        **os.environ,
        "CONVERGE_METADATA_DATABASE_URL": url,
        "CONVERGE_METADATA_LOG_LEVEL": "WARNING",
        "CONVERGE_METADATA_AUTO_MIGRATE": "false",
        "CONVERGE_METADATA_NODE_ID": "xx",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "converge_metadata.app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        qs = queries()
        http = asyncio.run(http_figures(f"http://127.0.0.1:{port}", qs, requests))
        rss, hwm = _rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    raw = asyncio.run(db_figures(url, qs))
    return {
        "size": size,
        "import_rps": stored / seconds,
        "import_s": seconds,
        **http,
        "rss_mb": rss,
        "hwm_mb": hwm,
        "db_p50": raw["p50"],
        "db_p95": raw["p95"],
        "db_bytes": path.stat().st_size,
    }


def markdown(results: list[dict[str, Any]], command: str) -> str:
    cpu = platform.processor() or platform.machine()
    lines = [
        "## Metadata catalogue",
        "",
        f"Machine: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"SQLite (embedded), one uvicorn worker. Date: {datetime.now(UTC).date()}.",
        f"Command: `{command}`",
        "",
        "| records | import rec/s | search p50 ms | p95 ms | searches/s (16 clients) "
        "| RSS MB (peak) | DB p50 / p95 ms | API/DB p50 | DB size MB |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        lines.append(
            f"| {r['size']:,} | {r['import_rps']:,.0f} | {r['p50']:.1f} | {r['p95']:.1f} | "
            f"{r['rps']:.0f} | {r['rss_mb']:.0f} ({r['hwm_mb']:.0f}) | "
            f"{r['db_p50']:.1f} / {r['db_p95']:.1f} | {r['p50'] / r['db_p50']:.2f} | "
            f"{r['db_bytes'] / 2**20:.0f} |"
        )
    lines += [
        "",
        "Targets (100k records): import ≥ 5,000 rec/s; p50 ≤ 15 ms, p95 ≤ 60 ms; ≥ 300 searches/s; "
        "RSS ≤ 200 MB. Queries: 100 fixed searches (40 topic words, 20 word pairs, 15 word + type, "
        "10 organism filters, 10 type + year ranges, 5 title-sorted), every one with facets. "
        "Import: `upsert_records` in batches of 2,000 including schema parsing and vocabulary "
        "checks. DB time: the same SQL (page, facet counts, snippets) in-process.",
        "",
    ]
    return "\n".join(lines)


def write_docs(section: str) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n\n"
    head, marker, rest = text.partition("## Metadata catalogue")
    if marker:
        following = rest.find("\n## ")
        rest = rest[following + 1 :] if following >= 0 else ""
        text = head + section + ("\n" + rest if rest else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, action="append", help="repeatable; default 10000")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args(argv)
    results = [run(size, args.workdir, args.requests) for size in args.size or [10_000]]
    command = "uv run python -m bench.metadata_search " + " ".join(
        f"--size {s}" for s in args.size or [10_000]
    )
    section = markdown(results, command)
    print(section)
    if args.write_docs:
        write_docs(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())

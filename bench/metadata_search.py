"""Metadata catalogue benchmark: import rate, search latency and throughput, RSS, DB time.

Generates a corpus (bench/metadata_corpus.py), loads it into a fresh SQLite database with the
importers' ``upsert_records``, starts the service with uvicorn on 127.0.0.1, and measures a
fixed mixed set of 100 queries with facets: latency with one client, throughput with 16, the
service's RSS, and the same queries' raw database time in-process (the API overhead ratio).

    uv run python -m bench.metadata_search [--size 100000] [--no-docs]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
from converge_common.db import Database, make_engine, upgrade_database
from converge_metadata.app import MIGRATIONS
from converge_metadata.search.facet_index import build_facet_index
from converge_metadata.search.repository import SearchSql
from converge_metadata.search.schemas import SearchFilters
from converge_metadata.search.service import canonical_filters
from converge_metadata.vocab import default_data_dir, load_vocabularies
from sqlalchemy import make_url, text

from bench.metadata_corpus import Pools, generate
from bench.report import write_section

ROOT = Path(__file__).resolve().parents[1]


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


def corpus_file(size: int, workdir: Path) -> Path:
    """The corpus as JSON Lines (written once per size and kept: generating is not timed)."""
    path = workdir / f"corpus-{size}.jsonl"
    if not path.exists():
        workdir.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        with partial.open("wb") as out:
            for body in generate(size):
                out.write(orjson.dumps(body) + b"\n")
        partial.rename(path)
    return path


def load(url: str, size: int, workdir: Path) -> tuple[float, int]:
    """Import the corpus with the command line, as an operator would; the time is the
    command's whole run (start-up included)."""
    source = corpus_file(size, workdir)
    env = {
        **os.environ,
        "CONVERGE_METADATA_DATABASE_URL": url,
        "CONVERGE_METADATA_AUTO_MIGRATE": "false",
        "CONVERGE_METADATA_LOG_JSON": "false",
    }
    command = [sys.executable, "-m", "converge_metadata.cli", "import", "--format", "jsonl"]
    started = time.perf_counter()
    done = subprocess.run(
        [*command, str(source)], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    seconds = time.perf_counter() - started
    found = re.search(r"(\d+) imported \((\d+) created", done.stderr)
    if found is None:
        raise RuntimeError(f"unexpected import output: {done.stderr[-500:]}")
    return seconds, int(found.group(2))


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
    """The same searches' database and index work (page, full-text match ids, facet counts
    from the facet index, snippets), as the service does it, without HTTP or responses."""
    vocab = load_vocabularies(default_data_dir())
    db = Database.from_url(url)
    timings = []
    today = datetime.now(UTC).date()
    try:
        async with db.engine.connect() as conn:
            index = await build_facet_index(conn)
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
                    match = sql.match(filters, steward=False, today=today)
                    order = q.get("sort") or ("relevance" if match.has_query else "date")
                    rows = await sql.page(session, match, order=order, after=None, limit=21)
                    mask = index.match(filters, steward=False, today=today)
                    if match.has_query:
                        mask &= index.positions(await sql.text_matches(session, match))
                    index.counts(mask, limit=10, today=today)
                    await sql.snippets(session, match, [r.pk for r in rows])
                    if rep:
                        timings.append((time.perf_counter() - t0) * 1000)
    finally:
        await db.dispose()
    return {"p50": _pct(timings, 0.5), "p95": _pct(timings, 0.95)}


async def _fresh_postgres(admin_url: str, size: int) -> str:
    """A new, empty database beside the admin URL's (dropped first if a previous run left it)."""
    base = make_url(admin_url)
    name = f"{base.database}_bench_metadata_{size}"
    engine = make_engine(admin_url)
    try:
        async with engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


async def _analyze(url: str) -> None:
    """Planner statistics as autovacuum would gather them soon after a bulk load; without
    them PostgreSQL guesses one row per match set and probes the full-text index per record."""
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("ANALYZE"))
    finally:
        await engine.dispose()


def _fresh_database(size: int, workdir: Path, postgres: str | None) -> tuple[str, Path | None]:
    if postgres:
        return asyncio.run(_fresh_postgres(postgres, size)), None
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / f"metadata-{size}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite+aiosqlite:///{path}", path


async def _postgres_bytes(url: str) -> int:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return int(await conn.scalar(text("SELECT pg_database_size(current_database())")))
    finally:
        await engine.dispose()


def _database_bytes(url: str, path: Path | None) -> int:
    if path is None:
        return asyncio.run(_postgres_bytes(url))
    files = (Path(f"{path}{suffix}") for suffix in ("", "-wal"))
    return sum(f.stat().st_size for f in files if f.exists())


# the configurations measured over HTTP: (label, facet index on, answer cache size)
CONFIGS = {
    "sql": ("SQL facets, no cache", False, 0),
    "index": ("facet index, no cache", True, 0),
    "cache": ("facet index + answer cache", True, 512),
}


def _serve(url: str, port: int, *, facet_index: bool, cache: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CONVERGE_METADATA_DATABASE_URL": url,
        "CONVERGE_METADATA_LOG_LEVEL": "WARNING",
        "CONVERGE_METADATA_AUTO_MIGRATE": "false",
        "CONVERGE_METADATA_NODE_ID": "xx",
        "CONVERGE_METADATA_SEARCH_FACET_INDEX": str(facet_index).lower(),
        "CONVERGE_METADATA_SEARCH_CACHE_SIZE": str(cache),
    }
    command = [sys.executable, "-m", "uvicorn", "converge_metadata.app:app", "--host"]
    command += ["127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning"]
    return subprocess.Popen(command, env=env, cwd=ROOT)


def run(
    size: int,
    workdir: Path,
    requests: int,
    postgres: str | None = None,
    *,
    reuse: bool = False,
    configs: tuple[str, ...] = tuple(CONFIGS),
) -> dict[str, Any]:
    if reuse and not postgres and (workdir / f"metadata-{size}.db").exists():
        path: Path | None = workdir / f"metadata-{size}.db"
        url = f"sqlite+aiosqlite:///{path}"
        upgrade_database(MIGRATIONS, url)
        seconds, stored = 0.0, 0
    else:
        url, path = _fresh_database(size, workdir, postgres)
        upgrade_database(MIGRATIONS, url)
        seconds, stored = load(url, size, workdir)
        if postgres:
            asyncio.run(_analyze(url))
    qs = queries()
    measured = []
    for name in configs:
        label, facet_index, cache = CONFIGS[name]
        port = _port()
        server = _serve(url, port, facet_index=facet_index, cache=cache)
        try:
            http = asyncio.run(http_figures(f"http://127.0.0.1:{port}", qs, requests))
            rss, hwm = _rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
        measured.append({"label": label, **http, "rss_mb": rss, "hwm_mb": hwm})
    raw = asyncio.run(db_figures(url, qs))
    return {
        "size": size,
        "backend": "PostgreSQL" if postgres else "SQLite",
        "load": os.getloadavg()[0],
        "import_rps": stored / seconds if seconds else None,
        "import_s": seconds,
        "configs": measured,
        "db_p50": raw["p50"],
        "db_p95": raw["p95"],
        "db_bytes": _database_bytes(url, path),
    }


def markdown(results: list[dict[str, Any]], command: str) -> str:
    lines = [
        "One uvicorn worker (uvloop, httptools), one HTTP client for latency, 16 for throughput;",
        "the benchmark's own client and loader run on the same machine. Load: the machine's",
        "1-minute load average when the run finished.",
        "",
        f"Command: `{command}`",
        "",
        "| backend | records | import rec/s | DB size MB | DB + index p50 / p95 ms | load |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        rate = f"{r['import_rps']:,.0f}" if r["import_rps"] else "(database reused)"
        lines.append(
            f"| {r['backend']} | {r['size']:,} | {rate} | {r['db_bytes'] / 2**20:.0f} | "
            f"{r['db_p50']:.1f} / {r['db_p95']:.1f} | {r['load']:.1f} |"
        )
    lines += [
        "",
        "| records | search configuration | p50 ms | p95 ms | searches/s (16 clients) "
        "| RSS MB (peak) | API / DB p50 |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        for c in r["configs"]:
            lines.append(
                f"| {r['size']:,} | {c['label']} | {c['p50']:.1f} | {c['p95']:.1f} | "
                f"{c['rps']:.0f} | {c['rss_mb']:.0f} ({c['hwm_mb']:.0f}) | "
                f"{c['p50'] / r['db_p50']:.2f} |"
            )
    lines += [
        "",
        "Targets (100k records): import ≥ 5,000 rec/s; p50 ≤ 15 ms, p95 ≤ 60 ms; ≥ 300 searches/s; "
        "RSS ≤ 200 MB. Queries: 100 fixed searches (40 topic words, 20 word pairs, 15 word + type, "
        "10 organism filters, 10 type + year ranges, 5 title-sorted), every one with facets, "
        "anonymous. Latency is the second of two passes over the 100 queries (the first warms "
        "the page cache and builds the facet index); with the answer cache on, that second pass "
        "is served from the cache, as repeated queries are in service until the next write. "
        "Import: `converge-metadata import --format jsonl` of the corpus file (JSON Lines in the "
        "service's schema), wall time of the whole command (start-up, parsing, validation, "
        "vocabulary checks, storing; its defaults: batches of 2,000, the worker process on). "
        "DB + index time: the service's own statements and index work (page, full-text "
        "match ids, facet counts from the index, snippets) in-process, no HTTP.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, action="append", help="repeatable; default 100000")
    parser.add_argument("--requests", type=int, default=300, help="throughput requests")
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument(
        "--no-docs", action="store_true", help="print only; leave docs/benchmarks.md alone"
    )
    parser.add_argument(
        "--config",
        action="append",
        choices=list(CONFIGS),
        help="repeatable; default all: SQL facets, facet index, index + answer cache",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="SQLite: search the database a previous run left"
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="measure on PostgreSQL: a fresh database is created beside this URL's",
    )
    args = parser.parse_args(argv)
    sizes = args.size or [100_000]
    configs = tuple(args.config or CONFIGS)
    results = [
        run(size, args.workdir, args.requests, args.postgres, reuse=args.reuse, configs=configs)
        for size in sizes
    ]
    command = "uv run python -m bench.metadata_search " + " ".join(f"--size {s}" for s in sizes)
    if args.requests != parser.get_default("requests"):
        command += f" --requests {args.requests}"
    if args.postgres:
        command += " --postgres postgresql+asyncpg://postgres@127.0.0.1:5432/test"
    command += "".join(f" --config {c}" for c in args.config or ())
    section = markdown(results, command)
    print(section)
    if not args.no_docs:
        heading = "Metadata catalogue" + (" on PostgreSQL" if args.postgres else "")
        write_section(heading, section)
    return 0


if __name__ == "__main__":
    sys.exit(main())

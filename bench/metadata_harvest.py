"""Benchmark: a full OAI-PMH ``ListRecords`` harvest and a page-by-page DCAT catalogue walk.

Builds a SQLite catalogue of N published datasets (default 100,000) from the sample records
(the hand-written datasets and bio.tools descriptions), serves it with uvicorn in a separate
process on 127.0.0.1, and harvests it over HTTP as a harvester would.

    uv run python bench/metadata_harvest.py [--records 100000] [--skip-dcat]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx
from converge_common.db import Database, upgrade_database_async
from sqlalchemy import insert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from converge_metadata.app import MIGRATIONS  # noqa: E402
from converge_metadata.models import Record  # noqa: E402
from converge_metadata.records.schemas import RecordCreate  # noqa: E402

from tests.metadata.publishing.sample import (  # noqa: E402
    BASE_TIME,
    biotools_records,
    hand_written,
    record_row,
)

_TOKEN = re.compile(r"<resumptionToken[^>]*>([^<]+)</resumptionToken>")
_NEXT = re.compile(r"hydra:next <([^>]+)>")


def corpus(n: int) -> list[RecordCreate]:
    """N datasets: the sample datasets' shapes with bio.tools texts, ids made unique."""
    templates = [r for r in hand_written() if r.type == "Dataset" and r.status == "published"]
    templates = [t for t in templates if t.access.level != "embargoed"]
    texts = [(r.title["en"], r.description.get("en", "")) for r in biotools_records()]
    records = []
    for i in range(n):
        template = templates[i % len(templates)]
        title, description = texts[i % len(texts)]
        records.append(
            template.model_copy(
                update={
                    "id": f"ds-{i:06d}",
                    "title": {"en": f"{title} dataset {i}"},
                    "description": {"en": description} if description else {},
                }
            )
        )
    return records


async def build(url: str, n: int) -> None:
    await upgrade_database_async(MIGRATIONS, url)
    db = Database.from_url(url)
    rows = [
        record_row(r, modified_at=BASE_TIME + timedelta(seconds=i)) for i, r in enumerate(corpus(n))
    ]
    async for session in db.session():
        for start in range(0, len(rows), 2000):
            await session.execute(insert(Record), rows[start : start + 2000])
    await db.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(url: str, port: int, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CONVERGE_METADATA_DATABASE_URL": url,
        "CONVERGE_METADATA_AUTO_MIGRATE": "false",
        "CONVERGE_METADATA_DATA_DIR": str(data_dir),
        "CONVERGE_METADATA_LOG_LEVEL": "WARNING",
        "CONVERGE_METADATA_NODE_ID": "bench",
        "CONVERGE_METADATA_DCAT_PAGE_SIZE": "500",
    }
    command = [sys.executable, "-m", "uvicorn", "converge_metadata.app:app", "--port", str(port)]
    process = subprocess.Popen([*command, "--log-level", "warning"], env=env)
    for _ in range(200):
        try:
            httpx.get(f"http://127.0.0.1:{port}/oai?verb=Identify", timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the server did not start")


def harvest(base: str, prefix: str) -> tuple[int, float, int]:
    count, pages = 0, 0
    started = time.perf_counter()
    params: dict[str, str] = {"verb": "ListRecords", "metadataPrefix": prefix}
    times: list[float] = []
    with httpx.Client(base_url=base, timeout=60) as client:
        while True:
            t0 = time.perf_counter()
            body = client.get("/oai", params=params).text
            times.append(time.perf_counter() - t0)
            count += body.count("<record>")
            pages += 1
            match = _TOKEN.search(body)
            if match is None:
                break
            params = {"verb": "ListRecords", "resumptionToken": match.group(1)}
    if os.environ.get("BENCH_PAGES"):
        print("first pages", sum(times[:10]) / 10, "last pages", sum(times[-10:]) / 10)
    return count, time.perf_counter() - started, pages


def walk_catalogue(base: str) -> tuple[int, float, int]:
    datasets, pages = 0, 0
    started = time.perf_counter()
    url: str | None = f"{base}/dcat/catalog"
    with httpx.Client(timeout=120) as client:
        while url:
            body = client.get(url, headers={"Accept": "text/turtle"}).text
            datasets += body.count("a dcat:Dataset")
            pages += 1
            match = _NEXT.search(body)
            url = (
                match.group(1).replace("http://127.0.0.1", base.rsplit(":", 1)[0])
                if match
                else None
            )
    return datasets, time.perf_counter() - started, pages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--skip-dcat", action="store_true")
    parser.add_argument("--formats", default="oai_dc,oai_datacite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        started = time.perf_counter()
        asyncio.run(build(url, args.records))
        print(f"built {args.records} records in {time.perf_counter() - started:.1f} s")
        port = free_port()
        server = serve(url, port, Path(tmp))
        base = f"http://127.0.0.1:{port}"
        try:
            for prefix in args.formats.split(","):
                count, seconds, pages = harvest(base, prefix)
                print(
                    f"ListRecords {prefix}: {count} records, {pages} pages, {seconds:.1f} s, "
                    f"{count / seconds:,.0f} records/s"
                )
            if not args.skip_dcat:
                count, seconds, pages = walk_catalogue(base)
                print(
                    f"DCAT catalogue (Turtle, 500/page): {count} datasets, {pages} pages, "
                    f"{seconds:.1f} s, {count / seconds:,.0f} datasets/s"
                )
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()

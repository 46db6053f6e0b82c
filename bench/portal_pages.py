"""Portal benchmark: what the pages add to the gateway's API answers they are drawn from, and
what each page weighs, over the demo federation (``make run``'s, started here on free ports in
a temporary folder, seeded from data/, stopped at the end).

For each page (search, record, training, experts, federation, impact) the page and the API
request it is drawn from are asked in turn, one at a time, after a warm-up; the page's p50
minus the API's p50 is what the portal adds (its own work: the request parsing, the template,
the translations; the target is at most 20 ms). The weight is the page's HTML plus the style
sheet it links (the portal has no script and no web font; images are not counted), as sent and
gzip-compressed (level 6, as a reverse proxy would); the target is at most 150 KB each way.
Writes the "## Portal" section of docs/benchmarks.md.

    uv run python -m bench.portal_pages [--quick]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.gateway_fanout import pct
from bench.report import write_section

ROOT = Path(__file__).resolve().parents[1]
ADDED_MS_TARGET = 20.0
WEIGHT_TARGET = 150 * 1024
READY_S = 600.0
AUDIENCE = "urn:converge:demo"


@dataclass(frozen=True)
class PagePair:
    name: str
    page: str
    api: str  # the API request whose answer the page draws


def _free_base() -> int:
    """A base port at which the demo's ports (base + 0 .. 30, + 900) are free."""
    import random
    import socket

    def free(port: int) -> bool:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                return False
        return True

    offsets = [0, 1, 10, 11, 12, 20, 21, 22, 900]
    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(10000, 31000, 10)
        if all(free(base + o) for o in offsets):
            return base
    raise RuntimeError("no free set of ports for the demo")


class Demo:
    """``python -m scripts.demo`` in a process group of its own, in a temporary folder."""

    def __init__(self) -> None:
        self.base = _free_base()
        self.folder = tempfile.TemporaryDirectory(prefix="converge-bench-portal-")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.base}"

    @property
    def folder_path(self) -> Path:
        return Path(self.folder.name) / "demo"

    def __enter__(self) -> str:
        env = {
            **os.environ,
            "CONVERGE_DEMO_PORT": str(self.base),
            "CONVERGE_DEMO_DIR": str(self.folder_path),
            # one client asks hundreds of pages a minute: not what the limit is there for
            "CONVERGE_GATEWAY_RATE_LIMIT_PER_MINUTE": "0",
            # every request fans out to the Nodes: the page against the search it shows
            "CONVERGE_GATEWAY_CACHE_TTL_S": "0",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "scripts.demo"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        assert self.process.stdout is not None
        # the banner, printed once every service answers and the demo data is in
        for line in self.process.stdout:
            if b"demo federation is running" in line:
                return self.url
        raise RuntimeError("the demo federation did not start")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)
        self.folder.cleanup()


def _until_searchable(client: httpx.Client) -> None:
    """Until the gateway's directory holds the three Nodes and each answers a search."""
    deadline = time.monotonic() + READY_S
    while time.monotonic() < deadline:
        answer = client.get("/api/v1/search", params={"q": "protein"})
        nodes = answer.json().get("nodes", {}) if answer.status_code == 200 else {}
        if len(nodes) == 3 and all(n.get("status") == "ok" for n in nodes.values()):
            return
        time.sleep(0.5)
    raise RuntimeError("the demo's Nodes did not all answer the gateway")


def _token(demo: Demo, client_id: str, scope: str) -> str:
    secrets = json.loads((demo.folder_path / "secrets.json").read_text())["clients"]
    answer = httpx.post(
        f"http://127.0.0.1:{demo.base + 900}/token",
        data={"grant_type": "client_credentials", "resource": AUDIENCE, "scope": scope},
        auth=(client_id, secrets[client_id]),
        timeout=10,
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def fill(demo: Demo) -> None:
    """The sample data has no course and no expert: a full page of each (20 upcoming courses,
    20 people across the Nodes), so that the training and experts pages are weighed full."""
    today = datetime.now(UTC).date()
    topics = ["topic_0121", "topic_3170", "topic_0622", "topic_3308"]
    for index, node in enumerate(("de", "fi", "pt") * 7):
        token = _token(demo, f"node-{node}", f"node:{node}:admin node:{node}:steward")
        start = (today + timedelta(days=7 + 3 * index)).isoformat()
        end = (today + timedelta(days=9 + 3 * index)).isoformat()
        body = {
            "id": f"bench-course-{index}",
            "type": "CourseInstance",
            "status": "published",
            "title": {"en": f"Hands-on course {index}: from raw reads to a published dataset"},
            "description": {"en": "Five days of lectures and exercises. " * 8},
            "topics": topics[index % 4 :] + topics[: index % 4],
            "training": {"level": ("beginner", "intermediate", "advanced")[index % 3]},
            "course": {
                "start_date": start,
                "end_date": end,
                "online": index % 2 == 0,
                "location": {"name": "Heidelberg", "country": "DE"},
            },
        }
        answer = httpx.post(
            f"http://127.0.0.1:{demo.base + 10 + ('de', 'fi', 'pt').index(node)}/api/v1/records",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        answer.raise_for_status()
    admin = _token(demo, "federation-admin", "federation:admin")
    for index, node in enumerate(("de", "fi", "pt") * 7):
        person = {
            "name": f"Expert Number {index}",
            "role": ("data steward", "trainer")[index % 2],
            "expertise": topics[: 1 + index % 4],
            "languages": ["en", node],
        }
        answer = httpx.post(
            f"http://127.0.0.1:{demo.base + 1}/api/v1/nodes/{node}/people",
            json=person,
            headers={"Authorization": f"Bearer {admin}"},
            timeout=30,
        )
        answer.raise_for_status()


def pairs(client: httpx.Client) -> list[PagePair]:
    """The pages and their API requests, with ids read from the demo's data."""
    search = client.get("/api/v1/search", params={"q": "protein", "limit": 1}).json()
    record = search["items"][0]["global_id"]
    today = datetime.now(UTC).date().isoformat()
    profile = client.get("/api/v1/impact/profile", params={"period": "2025"})
    period = "2025" if profile.status_code == 200 else str(datetime.now(UTC).year - 1)
    return [
        PagePair("search", "/?q=protein", "/api/v1/search?q=protein&lang=en"),
        PagePair("record", f"/records/{record}", f"/api/v1/records/{record}"),
        PagePair(
            "training",
            "/training",
            f"/api/v1/search?type=CourseInstance&sort=start&starts_from={today}&facets=topic",
        ),
        PagePair("experts", "/experts", "/api/v1/people"),
        PagePair("federation", "/federation", "/api/v1/federation"),
        PagePair("impact", f"/impact?period={period}", f"/api/v1/impact/profile?period={period}"),
    ]


def _timed(client: httpx.Client, path: str) -> tuple[float, httpx.Response]:
    start = time.perf_counter()
    response = client.get(path)
    return (time.perf_counter() - start) * 1000, response


def measure(client: httpx.Client, pair: PagePair, rounds: int) -> dict[str, Any]:
    page_ms: list[float] = []
    api_ms: list[float] = []
    page = None
    for index in range(rounds + 5):
        # in turn, so that whatever else the machine does falls on both alike
        took_api, api = _timed(client, pair.api)
        took_page, page = _timed(client, pair.page)
        if api.status_code != 200 or page.status_code != 200:
            raise RuntimeError(f"{pair.name}: API {api.status_code}, page {page.status_code}")
        if index >= 5:
            api_ms.append(took_api)
            page_ms.append(took_page)
    assert page is not None
    html = page.content
    styles = re.findall(rb'<link rel="stylesheet" href="([^"]+)"', html)
    sheets = [client.get(href.decode()).content for href in styles]
    raw = len(html) + sum(len(s) for s in sheets)
    packed = len(gzip.compress(html, 6)) + sum(len(gzip.compress(s, 6)) for s in sheets)
    return {
        "name": pair.name,
        "page": pair.page,
        "api": pair.api,
        "page_p50": statistics.median(page_ms),
        "api_p50": statistics.median(api_ms),
        "page_p90": pct(page_ms, 90),
        "added": statistics.median(page_ms) - statistics.median(api_ms),
        "html": len(html),
        "css": sum(len(s) for s in sheets),
        "raw": raw,
        "gzip": packed,
    }


def run(quick: bool) -> list[dict[str, Any]]:
    rounds = 15 if quick else 60
    demo = Demo()
    with demo as url, httpx.Client(base_url=url, timeout=30) as client:
        _until_searchable(client)
        fill(demo)
        rows = []
        for pair in pairs(client):
            row = measure(client, pair, rounds)
            print(row, flush=True)
            rows.append(row)
        return rows


def render(rows: list[dict[str, Any]], rounds: int) -> str:
    def kb(size: int) -> str:
        return f"{size / 1024:.1f}"

    lines = [
        "`uv run python -m bench.portal_pages` (`make bench`): the demo federation of `make run` "
        "(three Nodes with the sample data of data/, SQLite, every service a process on "
        "127.0.0.1), started by the benchmark in a temporary folder, the gateway's rate limit "
        "and answer cache off (every request is fanned out to the Nodes), and 21 upcoming "
        "courses and 21 experts added through the Nodes' and the registry's APIs (the sample "
        "data has none), so that the training and experts pages are weighed full. Each page "
        "and the API "
        f"request it is drawn from are asked in turn, {rounds} times each after 5 warm-up "
        "rounds, one request at a time; *added* is the page's p50 minus the API's p50 (the "
        f"target: at most {ADDED_MS_TARGET:.0f} ms). Weight: the page's HTML plus the style "
        "sheet it links, as sent and gzip-compressed (level 6); the portal has no script and "
        f"no web font, and images are not counted (the target: at most "
        f"{WEIGHT_TARGET // 1024} KB).",
        "",
        "| page | API request | API p50 (ms) | page p50 (ms) | added p50 (ms) | page / API "
        "| HTML (KB) | CSS (KB) | weight (KB) | gzip (KB) | within targets |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        ok = r["added"] <= ADDED_MS_TARGET and max(r["raw"], r["gzip"]) <= WEIGHT_TARGET
        lines.append(
            f"| {r['name']} (`{r['page']}`) | `{r['api']}` | {r['api_p50']:.1f} "
            f"| {r['page_p50']:.1f} | {r['added']:.1f} | {r['page_p50'] / r['api_p50']:.2f} "
            f"| {kb(r['html'])} | {kb(r['css'])} | {kb(r['raw'])} | {kb(r['gzip'])} "
            f"| {'yes' if ok else '**no**'} |"
        )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines += [
        "",
        f"Load average when the run ended: {load}. The record page asks the Node three "
        "things at once (the record's JSON, its JSON-LD, which the page embeds, and its FAIR "
        "assessment); the API column is the JSON request alone, so the record's *added* "
        "includes the other two. The "
        "federation's state is kept by the gateway for a few seconds whatever the cache "
        "setting (it is read from the registry), so page and API there mostly read it kept.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    args = parser.parse_args()
    rows = run(args.quick)
    write_section("Portal", render(rows, 15 if args.quick else 60))


if __name__ == "__main__":
    main()

"""The demo's data: each Node's share of the sample records, a few months of generated COUNTER
usage, and impact figures reported through the real API; each loaded once and skipped when an
earlier run loaded it."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import random
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from scripts.demo_layout import (
    AUDIENCE,
    HOST,
    METADATA_PORT,
    NODE_NAMES,
    NODES,
    OIDC_PORT,
    ROOT,
    VAR,
    Service,
)

__all__ = ["refresh_derived", "seed_impact", "seed_sample", "seed_usage"]


def _sample_fingerprint() -> str:
    """What the seed reads: the sample data's content and the importer's version."""
    from importlib.metadata import version

    digest = hashlib.sha256(version("converge-metadata").encode())
    data = ROOT / "data"
    for path in sorted(p for p in data.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(data)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _seed_one(service: Service, fingerprint: str) -> None:
    node_dir = Path(service.env["CONVERGE_METADATA_DATA_DIR"])
    stamp = node_dir / "seed.sha256"
    db = node_dir / "metadata.db"
    if db.exists() and stamp.exists() and stamp.read_text().strip() == fingerprint:
        return
    print(f"seeding {service.name} from data/ ...", file=sys.stderr, flush=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "converge_metadata.cli",
            "seed",
            "--sample-data",
            str(ROOT / "data"),
            "--quiet",
        ],
        env={**os.environ, **service.env},
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    stamp.write_text(fingerprint + "\n")


def seed_sample(services: list[Service]) -> None:
    """Each Node's share of the sample records, the Nodes in parallel; skipped for a Node whose
    last seed read the same sample data (a seed is idempotent, but re-reading takes seconds)."""
    fingerprint = _sample_fingerprint()
    metadata = [s for s in services if s.module == "converge_metadata"]
    with ThreadPoolExecutor(max_workers=len(metadata)) as pool:
        for future in [pool.submit(_seed_one, s, fingerprint) for s in metadata]:
            future.result()


BROWSERS = (
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
)
MACHINES = ("curl/8.5.0", "python-requests/2.32.3", "Wget/1.21.4", "libcurl/8.5.0 r-curl/5.2.1")
ROBOTS = (
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
)


def _datasets(metadata_db: Path) -> list[tuple[str, dict[str, Any]]]:
    with sqlite3.connect(metadata_db) as conn:
        rows = conn.execute(
            "SELECT local_id, document FROM records WHERE type = 'Dataset' "
            "AND status = 'published' AND deleted_at IS NULL ORDER BY local_id"
        ).fetchall()
    return [(local_id, json.loads(document)) for local_id, document in rows]


def _usage_log(node: str, datasets: list[tuple[str, dict[str, Any]]], base_url: str) -> str:
    """A counter-processor log of about four months of this Node's dataset usage: people,
    scripts and robots, repeat visits and double clicks (seeded: the same every run)."""
    rng = random.Random(f"converge-demo-usage-{node}")
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = (today.replace(day=1) - timedelta(days=100)).replace(day=1)
    span = int((today - start).total_seconds())
    weights = [1 / (rank + 1) for rank in range(len(datasets))]
    clients = [
        (f"192.0.2.{i % 250 + 1}", rng.choice(BROWSERS), f"cookie-{i}" if i % 3 == 0 else "-")
        for i in range(400)
    ]
    clients += [(f"198.51.100.{i + 1}", MACHINES[i % len(MACHINES)], "-") for i in range(12)]
    clients += [(f"203.0.113.{i + 1}", ROBOTS[i % len(ROBOTS)], "-") for i in range(6)]
    lines = []
    for _ in range(rng.randint(2000, 3000)):
        local_id, document = rng.choices(datasets, weights)[0]
        ip, agent, cookie = rng.choices(clients, [1.0] * 400 + [6.0] * 12 + [8.0] * 6)[0]
        when = start + timedelta(seconds=rng.randrange(span))
        title = document.get("title") or {}
        doi = next(
            (i["value"] for i in document.get("identifiers") or [] if i.get("scheme") == "doi"),
            None,
        )
        # a visit: the landing page, then perhaps the API record and the download, minutes
        # apart; now and then a double click
        visit = [
            "/records/{id}",
            "/api/v1/records/{id}",
            "/api/v1/records/{id}/distributions/0/download",
        ]
        steps = visit[: rng.choice((1, 1, 2, 3))] if agent in BROWSERS else [rng.choice(visit[1:])]
        for step, template in enumerate(steps):
            path = template.format(id=local_id)
            download = path.endswith("/download")
            at = when + timedelta(minutes=step * rng.randint(1, 8))
            for click in range(2 if rng.random() < 0.1 else 1):
                clicked = at + timedelta(seconds=click * rng.randint(1, 25))
                fields = [
                    clicked.isoformat(), ip, "-", cookie, "-", base_url + path,
                    f"doi:{doi}" if doi else local_id, "data" if download else "-",
                    "1048576" if download else "-", agent,
                    str(title.get("en") or next(iter(title.values()), local_id)),
                    NODE_NAMES[node], "-", "-", str(document.get("issued") or "-"), "1", "-",
                    f"{base_url}/records/{local_id}", str(document.get("issued") or "-")[:4],
                ]  # fmt: skip
                lines.append("\t".join(f.replace("\t", " ") for f in fields))
    lines.sort()
    return "\n".join(lines) + "\n"


def seed_usage(services: list[Service]) -> None:
    """A few months of generated usage per Node, loaded into its impact service once."""
    for service in services:
        if service.module != "converge_impact":
            continue
        node = service.name.removeprefix("impact-")
        impact_db, metadata_db = VAR / node / "impact.db", VAR / node / "metadata.db"
        if impact_db.exists():
            with sqlite3.connect(impact_db) as conn:
                tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
                if (
                    "usage_events" in tables
                    and conn.execute("SELECT 1 FROM usage_events LIMIT 1").fetchone()
                ):
                    continue
        datasets = _datasets(metadata_db)
        if not datasets:
            continue
        log = VAR / node / "usage-demo.log"
        base_url = f"http://{HOST}:{METADATA_PORT + NODES.index(node)}"
        log.write_text(_usage_log(node, datasets, base_url))
        print(f"loading generated usage into {service.name} ...", file=sys.stderr, flush=True)
        subprocess.run(
            [sys.executable, "-m", "converge_impact.cli", "usage", "load", "--format", "counter",
             str(log)],
            env={**os.environ, **service.env},
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip


def _call(
    method: str, url: str, token: str, body: object = None, *, ok: tuple[int, ...] = (200, 201)
) -> dict[str, object]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310
    request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return dict(json.loads(response.read() or b"{}"))
    except urllib.error.HTTPError as exc:
        if exc.code in ok:
            return {}
        raise


def _node_token(node: str, values: dict[str, object]) -> str:
    secret = dict(values["clients"])[f"node-{node}"]  # type: ignore[call-overload]
    form = urllib.parse.urlencode(
        {
            "grant_type": "client_credentials",
            "resource": AUDIENCE,
            "scope": f"node:{node}:admin node:{node}:steward",
        }
    ).encode()
    request = urllib.request.Request(f"http://{HOST}:{OIDC_PORT}/token", data=form)
    pair = base64.b64encode(f"node-{node}:{secret}".encode()).decode()
    request.add_header("Authorization", f"Basic {pair}")
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return str(json.loads(response.read())["access_token"])


# (indicator, period, value) per Node: validated figures over three years, by quarter and month
_REPORTED = [
    ("staff.fte", "2023", 9.5),
    ("staff.fte", "2024", 11.0),
    ("staff.fte", "2025", 12.5),
    ("funding.external", "2024", 420_000),
    ("funding.external", "2025", 515_000),
    ("publications.citing", "2024", 38),
    ("publications.citing", "2025", 47),
    ("collaborations.industry", "2025", 4),
    ("collaborations.projects", "2025", 6),
    ("policy.documents", "2025", 2),
    ("training.trainers.active", "2025", 14),
    ("training.participants.women_share", "2025", 54.0),
    ("training.participants.widening_countries", "2025", 31),
    ("efficiency.support_requests", "2025", 212),
    *(("communication.page_views", f"2025-{m:02d}", 1800 + 130 * m) for m in range(1, 13)),
    *(("communication.newsletter_opens", f"2025-Q{q}", 900 + 60 * q) for q in range(1, 5)),
    ("communication.event_attendance", "2025", 320),
]


def _correct(api: str, token: str, code: str, period: str) -> None:
    """An admin's correction of a validated value: it stays validated, the history keeps both."""
    found = _call("GET", f"{api}/values?indicator={code}&period={period}", token)
    items = found.get("items") or []
    if not isinstance(items, list) or not items:
        return
    url = f"{api}/values/{items[0]['id']}"
    request = urllib.request.Request(url)  # noqa: S310
    request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        etag = response.headers["ETag"]
    body = {"value": float(items[0]["value"]) + 1, "note": "one more paper found in Europe PMC"}
    patch = urllib.request.Request(url, data=json.dumps(body).encode(), method="PATCH")  # noqa: S310
    for name, value in (("Authorization", f"Bearer {token}"), ("If-Match", etag)):
        patch.add_header(name, value)
    patch.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(patch, timeout=10):  # noqa: S310
        pass


def _has_open_figures(impact_db: Path) -> bool:
    """Whether an earlier run reported the figures (it leaves a draft and a submitted value);
    read from the database file, which costs no token and no request."""
    if not impact_db.exists():
        return False
    with sqlite3.connect(impact_db) as conn:
        try:
            row = conn.execute(
                "SELECT 1 FROM reported_values WHERE status IN ('draft', 'submitted') LIMIT 1"
            ).fetchone()
        except sqlite3.OperationalError:
            return False
    return row is not None


def seed_impact(services: list[Service], values: dict[str, object]) -> None:
    """Each Node's impact figures through the real API (once: a second run changes nothing):
    validated values, one submitted, one draft, one corrected after validation."""
    for index, service in enumerate(s for s in services if s.module == "converge_impact"):
        node = service.name.removeprefix("impact-")
        if not _has_open_figures(VAR / node / "impact.db"):
            token = _node_token(node, values)
            api = service.url + "/api/v1"
            scale = (1.0, 0.7, 0.45)[index % 3]
            print(f"seeding {service.name} with impact figures ...", file=sys.stderr, flush=True)
            for code, period, figure in _REPORTED:
                # counts stay whole; FTE keeps its decimals; a share is not scaled
                value: float = round(figure * scale)
                if code == "staff.fte":
                    value = round(figure * scale, 2)
                elif code == "training.participants.women_share":
                    value = figure
                body = {
                    "indicator": code,
                    "period": period,
                    "value": value,
                    "evidence_url": f"https://elixir-{node}.example.org/reports/{period}",
                    "evidence_note": "Demo figure",
                }
                created = _call("POST", api + "/values", token, body, ok=(201, 409))
                if created:
                    _call("POST", f"{api}/values/{created['id']}/submit", token, {})
                    _call("POST", f"{api}/values/{created['id']}/validate", token, {})
            submitted = _call(
                "POST",
                api + "/values",
                token,
                {"indicator": "policy.documents", "period": "2026", "value": 1},
            )
            _call("POST", f"{api}/values/{submitted['id']}/submit", token, {})
            _call(
                "POST",
                api + "/values",
                token,
                {"indicator": "staff.fte", "period": "2026", "value": 13},
            )
            _correct(api, token, "publications.citing", "2025")


def refresh_derived(services: list[Service], values: dict[str, object]) -> None:
    """The derived values of every Node, from its metadata service and the registry, now that
    both answer (an impact service's own first round may have run before they did)."""

    def refresh(service: Service) -> None:
        token = _node_token(service.name.removeprefix("impact-"), values)
        _call("POST", service.url + "/api/v1/derived/refresh", token, {})

    impact = [s for s in services if s.module == "converge_impact"]
    with ThreadPoolExecutor(max_workers=len(impact)) as pool:
        for future in [pool.submit(refresh, s) for s in impact]:
            with contextlib.suppress(OSError):  # the demo is stopping
                future.result()

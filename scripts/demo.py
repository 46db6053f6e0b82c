"""``make run``: a whole demo federation on one machine, on the embedded SQLite default.

Starts the local OpenID provider, the registry, the gateway, and three Nodes (``de``, ``fi``,
``pt``) each with its metadata and impact service. Secrets and signing keys are generated on
the first run into ``var/demo/`` (never committed) and reused afterwards, as is every
service's database, so a second run keeps its data and, when the sample data is unchanged,
skips the seeding. Ctrl-C (or SIGTERM, SIGHUP) stops everything; ``python -m scripts.demo stop``
(``make stop``) stops a demo left running by an earlier run. ``CONVERGE_DEMO_PORT`` moves every
port (default 8000: the gateway; see ``ports()``), ``CONVERGE_DEMO_DIR`` the data (default
``var/demo``). See docs/demo.md.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import errno
import hashlib
import json
import os
import random
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("CONVERGE_DEMO_DIR") or ROOT / "var" / "demo").resolve()
PIDS = VAR / "pids.json"
HOST = "127.0.0.1"
NODES = ("de", "fi", "pt")
NODE_NAMES = {"de": "ELIXIR Germany", "fi": "ELIXIR Finland", "pt": "ELIXIR Portugal"}
AUDIENCE = "urn:converge:demo"
BASE_PORT = int(os.environ.get("CONVERGE_DEMO_PORT") or 8000)
GATEWAY_PORT, REGISTRY_PORT = BASE_PORT, BASE_PORT + 1
METADATA_PORT, IMPACT_PORT = BASE_PORT + 10, BASE_PORT + 20  # + the Node's index
OIDC_PORT = BASE_PORT + 900
STOP_WAIT_S = 10.0


def ports() -> dict[str, int]:
    """Every port the demo listens on, by the name of what listens."""
    found = {"oidc": OIDC_PORT, "registry": REGISTRY_PORT, "gateway": GATEWAY_PORT}
    for index, node in enumerate(NODES):
        found[f"metadata-{node}"] = METADATA_PORT + index
        found[f"impact-{node}"] = IMPACT_PORT + index
    return found


@dataclass
class Service:
    name: str
    module: str
    port: int
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


def _secrets() -> dict[str, object]:
    """Client secrets and signing key of the demo, made once and kept in var/demo."""
    path = VAR / "secrets.json"
    if path.exists():
        kept = dict(json.loads(path.read_text()))
        # a demo made before the workspace clients existed gets theirs
        missing = [f"workspace-{n}" for n in NODES if f"workspace-{n}" not in kept["clients"]]
        if missing:
            kept["clients"].update({name: secrets.token_urlsafe(24) for name in missing})
            path.write_text(json.dumps(kept, indent=2))
        return kept
    from converge_common.testing.oidc import generate_jwk

    VAR.mkdir(parents=True, exist_ok=True)
    values: dict[str, object] = {
        "signing_key": generate_jwk("RS256"),
        "admin_token": secrets.token_urlsafe(24),
        "secret_key": secrets.token_urlsafe(32),
        "clients": {
            name: secrets.token_urlsafe(24)
            for name in (
                "federation-admin",
                "gateway",
                *(f"node-{n}" for n in NODES),
                *(f"workspace-{n}" for n in NODES),
            )
        },
    }
    path.write_text(json.dumps(values, indent=2))
    path.chmod(0o600)
    return values


def _provider_config(values: dict[str, object]) -> Path:
    # imported here: it brings httpx and cryptography, which the registry's start need not wait on
    from converge_common.testing.oidc import OIDCClient

    client_secrets = dict(values["clients"])  # type: ignore[call-overload]
    clients = [
        OIDCClient(
            "federation-admin",
            client_secrets["federation-admin"],
            ["client_credentials"],
            "federation:admin",
        ),
        OIDCClient("gateway", client_secrets["gateway"], ["client_credentials"], "profile"),
        OIDCClient(
            "portal",
            None,
            ["authorization_code", "refresh_token"],
            "openid profile email",
            # the OAuth 2 redirect page of the gateway's API docs (Swagger UI): it exists, and the
            # code it receives shows in the browser's address bar (docs/demo.md)
            redirect_uris=[f"http://{HOST}:{GATEWAY_PORT}/docs/oauth2-redirect"],
            token_endpoint_auth_method="none",
        ),
    ]
    for node in NODES:
        clients.append(
            OIDCClient(
                f"node-{node}",
                client_secrets[f"node-{node}"],
                ["client_credentials"],
                f"node:{node}:admin node:{node}:steward",
            )
        )
        # the Node's workspace (pages for its stewards) in its metadata and impact services
        index = NODES.index(node)
        clients.append(
            OIDCClient(
                f"workspace-{node}",
                client_secrets[f"workspace-{node}"],
                ["authorization_code"],
                "openid profile email",
                redirect_uris=[
                    f"http://{HOST}:{METADATA_PORT + index}/workspace/callback",
                    f"http://{HOST}:{IMPACT_PORT + index}/workspace/callback",
                ],
            )
        )
    scopes = sorted({s for c in clients for s in c.scope.split()} - {"openid"})
    config = {
        "port": OIDC_PORT,
        "admin_token": values["admin_token"],
        "jwks": {"keys": [values["signing_key"]]},
        "clients": [c.to_config() for c in clients],
        "accounts": {
            f"steward-{n}": {
                "name": f"Data steward ({n})",
                "email": f"steward@{n}.example.org",
                "eduperson_entitlement": [f"node:{n}:steward"],
            }
            for n in NODES
        }
        | {
            f"admin-{n}": {
                "name": f"Node admin ({n})",
                "email": f"admin@{n}.example.org",
                "eduperson_entitlement": [f"node:{n}:admin"],
            }
            for n in NODES
        },
        "resources": {AUDIENCE: {"scope": " ".join(scopes), "ttl": 3600}},
    }
    path = VAR / "oidc.json"
    path.write_text(json.dumps(config, indent=2))
    path.chmod(0o600)
    return path


def _services(values: dict[str, object]) -> list[Service]:
    issuer = f"http://{HOST}:{OIDC_PORT}"
    common = {
        "OIDC_ISSUER": issuer,
        "OIDC_AUDIENCE": AUDIENCE,
        "SECRET_KEY": str(values["secret_key"]),
        "LOG_JSON": "false",
        "LOG_LEVEL": "WARNING",
    }
    client_secrets = dict(values["clients"])  # type: ignore[call-overload]
    bootstrap = [
        {"id": n, "name": NODE_NAMES[n], "country": n.upper(), "client_ids": [f"node-{n}"]}
        for n in NODES
    ]
    registry = Service(
        "registry",
        "converge_registry",
        REGISTRY_PORT,
        {
            "DATA_DIR": str(VAR / "registry"),
            # one machine: every service is on loopback (cloud metadata addresses stay refused)
            "ALLOW_PRIVATE_TARGETS": "true",
            # the demo's Nodes are admitted at start; an operator uses POST /api/v1/nodes
            "BOOTSTRAP_NODES": json.dumps(bootstrap),
            "PROBE_INTERVAL_S": "15",
            "HEARTBEAT_WINDOW_S": "60",
        },
    )
    gateway = Service(
        "gateway",
        "converge_gateway",
        GATEWAY_PORT,
        {
            "REGISTRY_URL": registry.url,
            "ALLOW_PRIVATE_TARGETS": "true",
            "CLIENT_ID": "gateway",
            "CLIENT_SECRET": client_secrets["gateway"],
        },
    )
    services = [registry, gateway]
    for index, node in enumerate(NODES):
        for kind, base_port in (("metadata", METADATA_PORT), ("impact", IMPACT_PORT)):
            port = base_port + index
            services.append(
                Service(
                    f"{kind}-{node}",
                    f"converge_{kind}",
                    port,
                    {
                        "DATA_DIR": str(VAR / node),
                        "NODE_ID": node,
                        "NODE_NAME": NODE_NAMES[node],
                        "PUBLIC_URL": f"http://{HOST}:{port}",
                        "REGISTRY_URL": registry.url,
                        "CLIENT_ID": f"node-{node}",
                        "CLIENT_SECRET": client_secrets[f"node-{node}"],
                        "WORKSPACE_CLIENT_ID": f"workspace-{node}",
                        "WORKSPACE_CLIENT_SECRET": client_secrets[f"workspace-{node}"],
                        "HEARTBEAT_INTERVAL_S": "15",
                        # the impact service derives indicators from its Node's catalogue and
                        # pulls its usage events (the metadata service ignores these)
                        "METADATA_URL": f"http://{HOST}:{METADATA_PORT + index}",
                        "DERIVE_INTERVAL_S": "300",
                        "USAGE_PULL_INTERVAL_S": "30",
                    },
                )
            )
    for service in services:
        prefix = "CONVERGE_" + service.module.removeprefix("converge_").upper() + "_"
        service.env = {prefix + k: v for k, v in {**common, **service.env}.items()}
    return services


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


def _seed(services: list[Service]) -> None:
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


def _seed_usage(services: list[Service]) -> None:
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


def _start(service: Service) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        f"{service.module}.app:app",
        "--host",
        HOST,
        "--port",
        str(service.port),
        "--log-level",
        "warning",
    ]
    # a session of its own: Ctrl-C reaches only this script, which then stops the services in
    # order (the Nodes first, so that they deregister while the registry still listens)
    return subprocess.Popen(
        cmd, env={**os.environ, **service.env}, cwd=ROOT, start_new_session=True
    )


def _wait_ready(url: str, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.1)
    return False


class _StopOnSignal:
    """SIGINT, SIGTERM and SIGHUP raise ``KeyboardInterrupt`` once; later ones are ignored.

    A terminal's Ctrl-C reaches this script and ``uv run``, which forwards its own copy a moment
    later: that second signal must not interrupt the orderly stop. SIGINT is handled even when
    the script started in the background (where a shell starts it ignored).
    """

    def __init__(self) -> None:
        self.stopping = False
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self)

    def __call__(self, signum: int, frame: object) -> None:
        if self.stopping:
            return
        self.stopping = True
        raise KeyboardInterrupt


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # as uvicorn and Node.js bind: a port in TIME_WAIT is free for them
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
    return False


def _recorded() -> list[dict[str, Any]]:
    """The processes an earlier run recorded that still run (it may not have stopped them)."""
    try:
        entries = list(json.loads(PIDS.read_text()))
    except (OSError, ValueError):
        return []
    alive = []
    for entry in entries:
        pid = int(entry["pid"])
        try:
            os.kill(pid, 0)
            cmdline = Path(f"/proc/{pid}/cmdline")
            if cmdline.exists() and str(entry["mark"]).encode() not in cmdline.read_bytes():
                continue  # the pid was reused by something else
        except (ProcessLookupError, PermissionError):
            continue
        alive.append(entry)
    return alive


def leftovers() -> str | None:
    """Why the demo cannot start here, with what to do about it; ``None`` when it can."""
    busy = {name: port for name, port in ports().items() if _port_in_use(port)}
    if not busy:
        return None
    lines = ["the demo federation cannot start: in use already: "]
    lines[0] += ", ".join(f"port {port} ({name})" for name, port in busy.items())
    ours = _recorded()
    if ours:
        pids = " ".join(str(e["pid"]) for e in ours)
        lines += [
            f"an earlier demo run is still running ({', '.join(e['name'] for e in ours)}).",
            "Stop it with:",
            "  make stop        (or: uv run python -m scripts.demo stop)",
            f"  or: kill {pids}",
        ]
    else:
        lines += [
            "another program listens there. Stop it, or move the demo to other ports,",
            "for example: CONVERGE_DEMO_PORT=18000 make run",
        ]
    return "\n".join(lines)


def _record(processes: list[tuple[str, subprocess.Popen[Any]]]) -> None:
    marks = {"oidc": "provider.mjs"}
    entries = [
        {"name": name, "pid": proc.pid, "mark": marks.get(name, "uvicorn")}
        for name, proc in processes
    ]
    PIDS.write_text(json.dumps(entries))


def _stop_order(names: list[str]) -> list[list[str]]:
    """The Nodes' services and the gateway first (they deregister from the registry as they
    stop), then the registry, then the OpenID provider."""
    last = ("registry", "oidc")
    return [[n for n in names if n not in last], *([n] for n in last if n in names)]


def _stop_processes(processes: list[tuple[str, subprocess.Popen[Any]]]) -> None:
    by_name = dict(processes)
    for stage in _stop_order(list(by_name)):
        for name in stage:
            if by_name[name].poll() is None:
                by_name[name].send_signal(signal.SIGTERM)
        for name in stage:
            try:
                by_name[name].wait(timeout=STOP_WAIT_S)
            except subprocess.TimeoutExpired:
                by_name[name].kill()
                by_name[name].wait(timeout=STOP_WAIT_S)
    PIDS.unlink(missing_ok=True)


def stop_leftovers() -> int:
    """``make stop``: end the processes an earlier run left, in the same order as Ctrl-C."""
    entries = {str(e["name"]): int(e["pid"]) for e in _recorded()}
    if not entries:
        PIDS.unlink(missing_ok=True)
        print("no demo federation is running from " + str(VAR), file=sys.stderr)
        return 0
    for stage in _stop_order(list(entries)):
        for name in stage:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(entries[name], signal.SIGTERM)
        deadline = time.monotonic() + STOP_WAIT_S
        while time.monotonic() < deadline and any(_alive(entries[n]) for n in stage):
            time.sleep(0.1)
        for name in stage:
            if _alive(entries[name]):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(entries[name], signal.SIGKILL)
    PIDS.unlink(missing_ok=True)
    print(f"stopped: {', '.join(entries)}", file=sys.stderr)
    return 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a child of ours that exited stays a zombie until reaped: not alive for our purposes
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ", 1)[-1].startswith("Z"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.demo", description=__doc__)
    parser.add_argument("command", nargs="?", choices=("run", "stop"), default="run")
    if parser.parse_args(argv).command == "stop":
        return stop_leftovers()
    signals = _StopOnSignal()
    problem = leftovers()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    values = _secrets()
    services = _services(values)
    processes: list[tuple[str, subprocess.Popen[Any]]] = []
    try:
        # the registry needs neither the provider nor the seed: it starts while they work
        registry, *others = services
        processes.append((registry.name, _start(registry)))
        _record(processes)
        config = _provider_config(values)
        provider = subprocess.Popen(
            ["node", str(ROOT / "tests" / "oidc" / "provider.mjs"), str(config)],
            stdout=subprocess.PIPE,
            start_new_session=True,
        )
        processes.append(("oidc", provider))
        _record(processes)
        assert provider.stdout is not None
        ready = json.loads(provider.stdout.readline() or b"{}")
        if not ready.get("ready"):
            print("the OpenID provider did not start", file=sys.stderr)
            return 1
        _seed(services)
        _seed_usage(services)
        # the registry must answer before the Nodes' services start, so that they find it
        if not _wait_ready(registry.url):
            print("did not become ready: registry", file=sys.stderr)
            return 1
        for service in others:
            processes.append((service.name, _start(service)))
        _record(processes)
        failed = [s.name for s in others if not _wait_ready(s.url)]
        if failed:
            print(f"did not become ready: {', '.join(failed)}", file=sys.stderr)
            return 1
        _seed_impact(services, values)
        _banner(services, values)
        while all(proc.poll() is None for _name, proc in processes):
            time.sleep(0.5)
        dead = [name for name, proc in processes if proc.poll() is not None]
        print(f"stopped unexpectedly: {', '.join(dead)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopping the demo federation ...", file=sys.stderr, flush=True)
        return 0
    finally:
        signals.stopping = True
        _stop_processes(processes)


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


def _seed_impact(services: list[Service], values: dict[str, object]) -> None:
    """Each Node's impact figures through the real API (once: a second run changes nothing):
    validated values, one submitted, one draft, one corrected after validation; then the
    derived values are refreshed from the Node's metadata service and the registry."""
    for index, service in enumerate(s for s in services if s.module == "converge_impact"):
        node = service.name.removeprefix("impact-")
        token = _node_token(node, values)
        api = service.url + "/api/v1"
        scale = (1.0, 0.7, 0.45)[index % 3]
        existing = _call("GET", api + "/values?limit=1&status=draft&status=submitted", token)
        if not existing.get("items"):
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
        _call("POST", api + "/derived/refresh", token, {})


def _banner(services: list[Service], values: dict[str, object]) -> None:
    client_secrets = dict(values["clients"])  # type: ignore[call-overload]
    lines = [
        "",
        f"CONVERGE demo federation is running (Ctrl-C stops it; data is kept in {VAR})",
        "",
        f"  portal (start here)    http://{HOST}:{GATEWAY_PORT}/   search, records, federation,"
        " impact",
        "",
        f"  gateway API            http://{HOST}:{GATEWAY_PORT}/api/v1   API docs "
        f"http://{HOST}:{GATEWAY_PORT}/docs",
    ]
    for service in services:
        if service.name != "gateway":
            lines.append(f"  {service.name:<22} {service.url}   API docs {service.url}/docs")
    lines += [
        f"  OpenID provider        http://{HOST}:{OIDC_PORT}",
        "",
        "Each Node's workspace, for its stewards (sign in as steward-<node>, no password):",
    ]
    for index, node in enumerate(NODES):
        lines.append(
            f"  workspace ({node})         http://{HOST}:{METADATA_PORT + index}/workspace/"
        )
    lines += [
        "",
        "COUNTER usage of a Node's datasets (Dataset Master Report, JSON or ?format=tsv):",
        f"  http://{HOST}:{IMPACT_PORT}/api/v1/reports/dsr?begin_date="
        f"{(datetime.now(UTC) - timedelta(days=120)).strftime('%Y-%m')}"
        f"&end_date={datetime.now(UTC).strftime('%Y-%m')}",
        "",
        "A token that may write as the German Node (its admin and steward roles; the users",
        "and clients of the demo are in docs/demo.md):",
        f"  curl -s -u node-de:{client_secrets['node-de']} -d grant_type=client_credentials \\",
        f"       -d resource={AUDIENCE} -d 'scope=node:de:admin node:de:steward' \\",
        f"       http://{HOST}:{OIDC_PORT}/token",
        "",
        "A Node's impact figures (public):",
        f"  curl 'http://{HOST}:{IMPACT_PORT}/api/v1/profile?period=2025'",
        f"  curl 'http://{HOST}:{IMPACT_PORT}/api/v1/indicators/communication.page_views/series"
        "?granularity=month'",
        f"  http://{HOST}:{IMPACT_PORT}/api/v1/annual-reports/2025   (printable HTML, SVG charts)",
        "",
    ]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.exit(main())

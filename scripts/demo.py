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
import asyncio
import contextlib
import errno
import hashlib
import importlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scripts import demo_servers
from scripts.demo_layout import (
    AUDIENCE,
    FEDERATION_WAIT_S,
    GATEWAY_PORT,
    HOST,
    IMPACT_PORT,
    METADATA_PORT,
    NODE_NAMES,
    NODES,
    OIDC_PORT,
    PIDS,
    REGISTRY_PORT,
    ROOT,
    STOP_WAIT_S,
    VAR,
    Service,
    ports,
)
from scripts.demo_seed import refresh_derived, seed_impact, seed_sample, seed_usage
from scripts.demo_servers import AppServer

if TYPE_CHECKING:
    from converge_common.testing.oidc import OIDCClient


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


def _clients(values: dict[str, object]) -> list[OIDCClient]:
    """The OpenID provider's clients (docs/demo.md lists them)."""
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
    return clients


def _provider_config(values: dict[str, object]) -> Path:
    clients = _clients(values)
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


def _settings(service: Service) -> Any:
    """The service's settings as its own process would read them: the demo's variables over
    the environment (which may add more, e.g. ``CONVERGE_GATEWAY_CORS_ORIGINS``)."""
    module = importlib.import_module(f"{service.module}.settings")
    cls = getattr(module, service.module.removeprefix("converge_").capitalize() + "Settings")
    saved = dict(os.environ)
    os.environ.update(service.env)
    try:
        return cls()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _migrate_once(name: str, migrations: Path, database_url: str) -> None:
    """Migrate a service's database unless its stamp says these migrations ran on it already:
    Alembic reads every revision to find that out, and cannot run in two threads of one
    process at once, so the services do not migrate at start in the demo."""
    from converge_common.db import upgrade_database
    from sqlalchemy.engine import make_url

    digest = hashlib.sha256(database_url.encode())
    for path in sorted(migrations.rglob("*.py")):
        digest.update(str(path.relative_to(migrations)).encode() + b"\0" + path.read_bytes())
    stamp = VAR / "migrated" / f"{name}.sha256"
    database = make_url(database_url).database
    exists = not database or Path(database).exists()
    if exists and stamp.exists() and stamp.read_text().strip() == digest.hexdigest():
        return
    upgrade_database(migrations, database_url)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(digest.hexdigest() + "\n")


def _app_servers(services: list[Service]) -> list[AppServer]:
    """Every service's app, built in this process: the imports are the slow part of a start,
    and here they are paid once for all eight services."""
    servers = []
    for service in services:
        module = importlib.import_module(f"{service.module}.app")
        settings = _settings(service)
        migrations = getattr(module, "MIGRATIONS", None)
        if migrations is not None:
            _migrate_once(service.name, migrations, settings.database_url)
            settings.auto_migrate = False
        servers.append(AppServer(service.name, module.create_app(settings), HOST, service.port))
    return servers


def _start_provider(values: dict[str, object]) -> subprocess.Popen[bytes]:
    config = _provider_config(values)
    # a session of its own: a terminal's Ctrl-C reaches only this script, which stops the
    # provider last (the services deregister while it still issues tokens)
    return subprocess.Popen(
        ["node", str(ROOT / "tests" / "oidc" / "provider.mjs"), str(config)],
        stdout=subprocess.PIPE,
        start_new_session=True,
    )


def _stop_provider(provider: subprocess.Popen[bytes] | None) -> None:
    if provider is None or provider.poll() is not None:
        return
    provider.terminate()
    try:
        provider.wait(timeout=STOP_WAIT_S)
    except subprocess.TimeoutExpired:
        provider.kill()
        provider.wait(timeout=STOP_WAIT_S)


class _StopOnSignal:
    """SIGINT, SIGTERM and SIGHUP stop the demo once; later ones are ignored.

    A terminal's Ctrl-C reaches this script and ``uv run``, which forwards its own copy a moment
    later: that second signal must not interrupt the orderly stop. SIGINT is handled even when
    the script started in the background (where a shell starts it ignored). Before the servers
    run, the first signal raises ``KeyboardInterrupt``; while they run, it sets the event their
    loop waits on, and the loop stops them in order.
    """

    def __init__(self) -> None:
        self.stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self)

    def attach(self, loop: asyncio.AbstractEventLoop, event: asyncio.Event) -> None:
        self._loop, self._event = loop, event

    def __call__(self, signum: int, frame: object) -> None:
        if self.stopping:
            return
        self.stopping = True
        if self._loop is not None and self._event is not None and self._loop.is_running():
            self._loop.call_soon_threadsafe(self._event.set)
            return
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


def _record(entries: list[tuple[str, int, str]]) -> None:
    """What runs, for ``make stop`` and the next run's hint: (name, pid, a word of its
    command line that tells it from a process that reused the pid)."""
    PIDS.write_text(json.dumps([{"name": n, "pid": p, "mark": m} for n, p, m in entries]))


def _stop_order(names: list[str]) -> list[list[str]]:
    """The Nodes' services and the gateway first (they deregister from the registry as they
    stop), then the registry, then the OpenID provider. (A run records itself as ``demo``: it
    stops its services in that order when it gets SIGTERM.)"""
    last = ("registry", "oidc")
    return [[n for n in names if n not in last], *([n] for n in last if n in names)]


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
    provider: subprocess.Popen[bytes] | None = None
    try:
        # Node.js starts the provider while this process imports the services
        provider = _start_provider(values)
        _record([("demo", os.getpid(), "scripts.demo"), ("oidc", provider.pid, "provider.mjs")])
        servers = _app_servers(services)
        assert provider.stdout is not None
        if not json.loads(provider.stdout.readline() or b"{}").get("ready"):
            print("the OpenID provider did not start", file=sys.stderr)
            return 1
        seed_sample(services)
        seed_usage(services)
        return asyncio.run(_serve(services, servers, values, provider, signals))
    except KeyboardInterrupt:
        print("\nstopping the demo federation ...", file=sys.stderr, flush=True)
        return 0
    finally:
        signals.stopping = True
        _stop_provider(provider)
        PIDS.unlink(missing_ok=True)


async def _unless_stopped(stop: asyncio.Event, work: Awaitable[Any]) -> bool:
    """Await ``work``; ``False`` (and ``work`` cancelled) when a stop signal comes first."""
    task = asyncio.ensure_future(work)
    stopped = asyncio.ensure_future(stop.wait())
    done, _ = await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        stopped.cancel()
        task.result()
        return True
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, demo_servers.ServerFailed):
        await task
    return False


async def _serve(
    services: list[Service],
    servers: list[AppServer],
    values: dict[str, object],
    provider: subprocess.Popen[bytes],
    signals: _StopOnSignal,
) -> int:
    stop = asyncio.Event()
    signals.attach(asyncio.get_running_loop(), stop)
    registry = [s for s in servers if s.name == "registry"]
    others = [s for s in servers if s.name != "registry"]
    # the gateway and the impact services (which read the metadata services) stop first, then
    # the metadata services, then the registry they all deregister from
    metadata = [s for s in others if s.name.startswith("metadata-")]
    readers = [s for s in others if s not in metadata]
    refreshing: asyncio.Future[None] | None = None
    try:
        # the registry answers before the Nodes' services start, so that they find it
        if not await _unless_stopped(stop, demo_servers.start(registry)):
            return _stopping()
        if not await _unless_stopped(stop, demo_servers.start(others)):
            return _stopping()
        # the banner promises a federation that answers: the gateway must know every Node
        known = asyncio.wait_for(_gateway_knows_every_node(servers), FEDERATION_WAIT_S)
        try:
            if not await _unless_stopped(stop, known):
                return _stopping()
        except TimeoutError:
            print("the gateway does not list every Node's services yet", file=sys.stderr)
        # blocking HTTP calls to the servers of this loop: in a thread
        if not await _unless_stopped(stop, asyncio.to_thread(seed_impact, services, values)):
            return _stopping()
        _banner(services, values)
        # after the banner: the derived values of the last run are there meanwhile
        refreshing = asyncio.ensure_future(asyncio.to_thread(refresh_derived, services, values))
        ended: list[asyncio.Future[Any]] = [s.task for s in servers if s.task is not None]
        ended.append(asyncio.ensure_future(asyncio.to_thread(provider.wait)))
        watch = asyncio.ensure_future(asyncio.wait(ended, return_when=asyncio.FIRST_COMPLETED))
        if not await _unless_stopped(stop, watch):
            return _stopping()
        dead = [s.name for s in servers if not s.running] + (
            ["oidc"] if provider.poll() is not None else []
        )
        print(f"stopped unexpectedly: {', '.join(dead)}", file=sys.stderr)
        return 1
    except demo_servers.ServerFailed as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        signals.stopping = True
        await demo_servers.stop_in_stages([readers, metadata, registry], timeout_s=STOP_WAIT_S)
        # last, and before the loop ends: that ends the thread waiting on the provider, which
        # the loop's end waits for
        await asyncio.to_thread(_stop_provider, provider)
        if refreshing is not None:
            with contextlib.suppress(Exception):
                await refreshing


async def _gateway_knows_every_node(servers: list[AppServer]) -> None:
    """Return when the gateway's directory can call every Node's metadata and impact service:
    after the services registered, the registry probed them and the gateway's watch of the
    registry saw it. Awaits the directory's change event (no polling)."""
    from converge_gateway.context import Gateway

    (entry,) = (s for s in servers if s.name == "gateway")
    gateway: Gateway = entry.app.state.gateway
    states = gateway.settings.callable_states
    while True:
        changed = gateway.directory.changed  # taken first: a change after the check sets it
        found = [gateway.directory.get(node) for node in NODES]
        if all(
            e is not None and e.callable(states, "metadata") and e.callable(states, "impact")
            for e in found
        ):
            return
        await changed.wait()


def _stopping() -> int:
    print("\nstopping the demo federation ...", file=sys.stderr, flush=True)
    return 0


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
        "Each Node's workspace, for its stewards (sign in as steward-<node>, no password;",
        "admin-<node> also validates impact values): the catalogue, and the impact figures",
    ]
    for index, node in enumerate(NODES):
        lines.append(
            f"  workspace ({node})         http://{HOST}:{METADATA_PORT + index}/workspace/"
            f"   impact http://{HOST}:{IMPACT_PORT + index}/workspace/"
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

"""Peak memory of the metadata service and of ``converge-metadata import`` under deeply nested
input: the figures of the "Parser limits" section of ``docs/reliability.md``.

Starts the test OpenID provider and the service (uvicorn, SQLite, loopback), posts each hostile
body to ``POST /api/v1/import`` as a Node steward, and reads the service's ``VmHWM`` (peak RSS)
from ``/proc`` after each; then runs the command line on the same bodies as files. The service
and the commands run under an address-space limit (``--max-gb``) so that a build without the
depth check fails its allocation instead of taking the machine.

    uv run python -m bench.metadata_hostile --depth 100000
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from converge_common.testing.oidc import OIDCProvider
from converge_common.testing.plugin import ACCOUNTS, AUDIENCE, Tokens, _clients, bearer

ROOT = Path(__file__).resolve().parents[1]


def payloads(depth: int, only: str | None = None) -> dict[str, tuple[str, str, bytes]]:
    """name -> (format, media type, body)."""
    array = b"[" * depth + b"]" * depth
    obj = b'{"a":' * depth + b"1" + b"}" * depth
    line = b'{"id": "ok", "type": "Dataset", "title": {"en": "Shallow"}}\n'
    found = {
        "bioschemas-array": ("bioschemas", "application/ld+json", array),
        "biotools-array": ("biotools", "application/json", array),
        "bioschemas-object": ("bioschemas", "application/ld+json", obj),
        "jsonl-lines": ("jsonl", "application/x-ndjson", line + array + b"\n" + obj + b"\n" + line),
        "datacite-xml": ("datacite", "application/xml", b"<a>" * depth + b"</a>" * depth),
        # wide rather than deep: 4 million empty elements and no resource (16 MB)
        "datacite-wide": ("datacite", "application/xml", b"<r>" + b"<x/>" * 4_000_000 + b"</r>"),
    }
    return {k: v for k, v in found.items() if only in (None, k)}


def _limit(max_gb: float) -> Callable[[], None]:
    def apply() -> None:
        cap = int(max_gb * 1024**3)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    return apply


def _status(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) // 1024
    return fields


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def measure_service(
    depth: int, workdir: Path, max_gb: float, issuer: str, token: str, only: str | None
) -> None:
    port = _port()
    env = {
        **os.environ,
        "CONVERGE_METADATA_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'hostile.db'}",
        "CONVERGE_METADATA_NODE_ID": "de",
        "CONVERGE_METADATA_LOG_LEVEL": "WARNING",
        "CONVERGE_METADATA_OIDC_ISSUER": issuer,
        "CONVERGE_METADATA_OIDC_AUDIENCE": AUDIENCE,
    }
    command = [sys.executable, "-m", "uvicorn", "converge_metadata.app:app", "--host"]
    command += ["127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning"]
    server = subprocess.Popen(command, env=env, cwd=ROOT, preexec_fn=_limit(max_gb))
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=600) as client:
            for _ in range(300):
                try:
                    if client.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            print(f"service idle: {_status(server.pid)} MB")
            for name, (fmt, media, body) in payloads(depth, only).items():
                started = time.monotonic()
                try:
                    response = client.post(
                        "/api/v1/import",
                        params={"format": fmt},
                        content=body,
                        headers={"Content-Type": media, **bearer(token)},
                    )
                    answer = f"{response.status_code} {response.text[:160]}"
                except httpx.TransportError as exc:
                    answer = f"no answer ({type(exc).__name__})"
                seconds = time.monotonic() - started
                alive = server.poll() is None
                peak = _status(server.pid)["VmHWM"] if alive else "process ended"
                print(f"{name:18} {len(body) / 1024:7.0f} KB  {seconds:6.2f} s  peak {peak} MB")
                print(f"    {answer}")
                if not alive:
                    return
            health = client.get("/readyz").status_code
            print(f"readyz after: {health}")
    finally:
        server.terminate()
        server.wait(timeout=30)


def measure_cli(depth: int, workdir: Path, max_gb: float, only: str | None) -> None:
    env = {
        **os.environ,
        "CONVERGE_METADATA_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'cli.db'}",
        "CONVERGE_METADATA_LOG_JSON": "false",
    }
    for name, (fmt, _media, body) in payloads(depth, only).items():
        path = workdir / f"{name}.input"
        path.write_bytes(body)
        for worker in ("--no-worker", "--worker"):
            command = [sys.executable, "-m", "converge_metadata.cli", "import", "--format", fmt]
            started = time.monotonic()
            child = subprocess.Popen(
                [*command, worker, "--quiet", str(path)],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                preexec_fn=_limit(max_gb),
            )
            assert child.stderr is not None
            err = child.stderr.read()
            # the command's peak, or its worker's (a waited-for descendant), whichever is larger
            _pid, status, usage = os.wait4(child.pid, 0)
            child.returncode = os.waitstatus_to_exitcode(status)
            seconds = time.monotonic() - started
            last = (err.strip().splitlines() or [""])[-1][:120]
            print(
                f"cli {name:18} {worker:11} exit {child.returncode}  {seconds:6.2f} s  "
                f"peak {usage.ru_maxrss // 1024} MB: {last}"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=100_000)
    parser.add_argument("--max-gb", type=float, default=4.0, help="address-space limit")
    parser.add_argument("--skip-cli", action="store_true")
    parser.add_argument("--only", help="one payload by name (e.g. bioschemas-array)")
    args = parser.parse_args(argv)
    resources = {AUDIENCE: sorted({s for c in _clients() for s in c.scope.split()} - {"openid"})}
    provider = OIDCProvider(clients=_clients(), accounts=ACCOUNTS, resources=resources)
    provider.start()
    try:
        token = Tokens(provider).node("de")
        with tempfile.TemporaryDirectory(prefix="converge-hostile-") as tmp:
            measure_service(args.depth, Path(tmp), args.max_gb, provider.issuer, token, args.only)
            if not args.skip_cli:
                measure_cli(args.depth, Path(tmp), args.max_gb, args.only)
    finally:
        provider.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

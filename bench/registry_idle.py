"""Registry idle cost: 1,000 registered services, probing on, CPU of the registry process.

    uv run python bench/registry_idle.py [--services 1000] [--seconds 60]

Seeds a fresh SQLite registry with N service instances (all pointing at one loopback target
process that answers ``/readyz``), starts the registry with uvicorn and its default probe
interval, lets it settle, then reads the registry process's CPU time from ``/proc`` over the
measurement window. Writes the figure under "Registry" in docs/benchmarks.md.
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
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.report import write_section

ROOT = Path(__file__).resolve().parent.parent


TARGET = """
import asyncio, sys
async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\\r\\n\\r\\n")
            if not head:
                break
            writer.write(b"HTTP/1.1 200 OK\\r\\ncontent-type: application/json\\r\\n"
                         b"content-length: 15\\r\\n\\r\\n{\\"status\\":\\"ok\\"}")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    writer.close()
async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]))
    async with server:
        await server.serve_forever()
asyncio.run(main())
"""


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _seed(url: str, services: int, target: str, interval_s: float) -> None:
    from converge_common.db import Database, upgrade_database_async
    from converge_registry.app import MIGRATIONS
    from converge_registry.models import Node, ServiceInstance, StateTransition

    await upgrade_database_async(MIGRATIONS, url)
    db = Database.from_url(url)
    now = datetime.now(UTC)
    async for session in db.session():
        for i in range(services):
            node_id = f"n{i // 2:04d}"
            if i % 2 == 0:
                session.add(
                    Node(
                        id=node_id,
                        name=node_id,
                        country="EU",
                        status="accepted",
                        client_ids=[],
                        entitlements=[],
                        created_at=now,
                        updated_at=now,
                    )
                )
                await session.flush()
            instance = ServiceInstance(
                node_id=node_id,
                kind=("metadata", "impact")[i % 2],
                base_url=f"{target}/s{i}",
                api_version="1",
                capabilities={},
                state="unknown",
                state_since=now,
                registered_at=now,
                updated_at=now,
                consecutive_failures=0,
                next_probe_at=now + timedelta(seconds=random.uniform(0, interval_s)),
            )
            session.add(instance)
            await session.flush()
            session.add(
                StateTransition(
                    service_id=instance.id,
                    from_state=None,
                    to_state="unknown",
                    reason="seeded",
                    at=now,
                )
            )
    await db.dispose()


async def _probed_since(url: str, since: datetime) -> tuple[int, int]:
    from converge_common.db import Database
    from converge_registry.models import ServiceInstance
    from sqlalchemy import func, select

    db = Database.from_url(url)
    async with db.sessionmaker() as session:
        probed = await session.scalar(
            select(func.count()).where(ServiceInstance.last_probe_at >= since)
        )
        active = await session.scalar(select(func.count()).where(ServiceInstance.state == "active"))
    await db.dispose()
    return int(probed or 0), int(active or 0)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--settle", type=float, default=None, help="default: one interval + 10 s")
    parser.add_argument("--interval", type=float, default=None, help="default: the setting's")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    from converge_registry.settings import RegistrySettings

    interval = args.interval or RegistrySettings.model_fields["probe_interval_s"].default
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite+aiosqlite:///{tmp}/registry.db"
        target_port, registry_port = _port(), _port()
        target = subprocess.Popen([sys.executable, "-c", TARGET, str(target_port)])
        asyncio.run(_seed(db_url, args.services, f"http://127.0.0.1:{target_port}", interval))
        env = {
            **os.environ,
            "CONVERGE_REGISTRY_DATABASE_URL": db_url,
            "CONVERGE_REGISTRY_ALLOW_PRIVATE_TARGETS": "true",
            "CONVERGE_REGISTRY_PROBE_INTERVAL_S": str(interval),
            "CONVERGE_REGISTRY_LOG_LEVEL": "WARNING",
        }
        cmd = [
            sys.executable,
            "-m",
            "uvicorn",
            "converge_registry.app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(registry_port),
            "--log-level",
            "warning",
        ]
        registry = subprocess.Popen(cmd, env=env, cwd=tmp)
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{registry_port}/readyz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            time.sleep(
                args.settle if args.settle is not None else interval + 10
            )  # first full probe cycle (unknown -> active writes)
            since = datetime.now(UTC)
            cpu0, wall0 = _cpu_seconds(registry.pid), time.monotonic()
            time.sleep(args.seconds)
            cpu1, wall1 = _cpu_seconds(registry.pid), time.monotonic()
            probed, active = asyncio.run(_probed_since(db_url, since))
        finally:
            registry.terminate()
            target.terminate()
            registry.wait(10)
            target.wait(10)
    percent = 100 * (cpu1 - cpu0) / (wall1 - wall0)
    per_probe_ms = 1000 * (cpu1 - cpu0) / max(probed, 1)
    cpu_name = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    section = (
        "## Registry\n\n"
        f"Idle cost with {args.services} registered service instances, probing on "
        f"(interval {interval:.0f} s, jitter 10 %, SQLite), one uvicorn worker.\n\n"
        "| measured | value |\n| --- | --- |\n"
        f"| CPU of the registry process | **{percent:.2f} % of one core** "
        f"(over {wall1 - wall0:.0f} s, from /proc) |\n"
        f"| probes in that window | {probed} services probed, {active} active |\n"
        f"| CPU per probe | {per_probe_ms:.1f} ms (request, result write, scheduling) |\n"
        f"| machine | {cpu_name}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()} |\n"
        f"| date | {datetime.now(UTC).date().isoformat()} |\n\n"
        "Command: `make bench`, or alone `uv run python -m bench.registry_idle` "
        "(target: under 5 % of one core).\n\n"
        "The cost is proportional to services ÷ interval: the CPU per probe above times the "
        "probes per second. Halving `PROBE_INTERVAL_S` doubles it.\n"
    )
    print(section)
    if not args.no_write:
        write_section("Registry", section.removeprefix("## Registry\n\n"))
    return 0 if percent < 5 else 1


if __name__ == "__main__":
    sys.exit(main())

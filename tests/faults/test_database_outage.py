"""The database goes away under load: requests fail fast with a 503 problem, ``/readyz`` says
not ready, and the service recovers by itself when the database is back.

On PostgreSQL the outage is real: the service's database stops accepting connections
(``ALLOW_CONNECTIONS false``) and every backend serving it is terminated
(``pg_terminate_backend``) while clients keep calling. An embedded SQLite file has no such
outage (open connections keep the file), so the test runs on PostgreSQL only.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from converge_common.db import make_engine
from converge_common.testing.db import postgres_admin_url
from converge_common.testing.plugin import Tokens, bearer, service_database
from converge_common.testing.servers import LiveServer
from converge_metadata.app import MIGRATIONS, create_app
from converge_metadata.models import Base
from converge_metadata.settings import MetadataSettings
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.security.conftest import seed_record

metadata_db = service_database(
    "metadata", MIGRATIONS, Base.metadata, extra_tables=("record_search",)
)

WORKERS = 8
# a request that takes longer than this has hung: failing fast is the point
CLIENT_TIMEOUT_S = 15.0
MAX_ROUNDS = 2000


@pytest.fixture
def postgres_only(db_backend: str) -> None:
    if db_backend != "postgresql":
        pytest.skip("an open SQLite file cannot be taken away from the process that holds it")


async def _admin(sql: str, **params: Any) -> None:
    admin = postgres_admin_url()
    assert admin is not None
    engine = make_engine(admin)
    try:
        async with engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(sql), params)
    finally:
        await engine.dispose()


async def take_database_away(url: str) -> None:
    name = make_url(url).database
    await _admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    await _admin(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = :name AND pid <> pg_backend_pid()",
        name=name,
    )


async def bring_database_back(url: str) -> None:
    await _admin(f'ALTER DATABASE "{make_url(url).database}" ALLOW_CONNECTIONS true')


@pytest_asyncio.fixture(loop_scope="session")
async def node(
    postgres_only: None,
    metadata_db: str,
    oidc_settings: dict[str, Any],
    tokens: Tokens,
    tmp_path: Path,
) -> AsyncIterator[tuple[LiveServer, list[str]]]:
    settings = MetadataSettings(
        database_url=metadata_db,
        data_dir=tmp_path,
        node_id="de",
        auto_migrate=False,
        log_json=False,
        **oidc_settings,
    )
    server = LiveServer(create_app(settings))
    await server.start()
    try:
        ids = []
        async with httpx.AsyncClient(base_url=server.url, timeout=20) as client:
            for index in range(3):
                response = await client.post(
                    "/api/v1/records", json=seed_record(index), headers=bearer(tokens.node("de"))
                )
                assert response.status_code == 201, response.text
                ids.append(response.json()["id"])
        yield server, ids
    finally:
        # whatever happened, give the database back so that it can be emptied and dropped
        await bring_database_back(metadata_db)
        await server.stop()


class Load:
    """``WORKERS`` clients reading records and searching until told to stop (bounded)."""

    def __init__(self, base_url: str, ids: list[str]) -> None:
        self.base_url = base_url
        self.paths = [f"/api/v1/records/{i}" for i in ids] + ["/api/v1/search?q=protein"]
        self.statuses: Counter[int] = Counter()
        self.bad: list[str] = []
        self.stop = asyncio.Event()

    async def worker(self, offset: int) -> None:
        async with httpx.AsyncClient(base_url=self.base_url, timeout=CLIENT_TIMEOUT_S) as client:
            for round_ in range(MAX_ROUNDS):
                if self.stop.is_set():
                    return
                path = self.paths[(offset + round_) % len(self.paths)]
                try:
                    response = await client.get(path)
                except httpx.HTTPError as exc:
                    self.bad.append(f"{path}: {type(exc).__name__} {exc}")
                    continue
                self.statuses[response.status_code] += 1
                if response.status_code == 200:
                    continue
                problem = response.headers.get("content-type", "")
                if (
                    response.status_code != 503
                    or problem != "application/problem+json"
                    or "retry-after" not in response.headers
                ):
                    self.bad.append(
                        f"{path}: {response.status_code} {problem} {response.text[:300]}"
                    )
                await asyncio.sleep(0.01)

    async def until(self, status: int, count: int) -> None:
        for _ in range(3000):
            if self.statuses[status] >= count:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"never saw {count} answers {status}: {dict(self.statuses)}")


async def _ready(client: httpx.AsyncClient) -> int:
    return (await client.get("/readyz")).status_code


class TestDatabaseOutage:
    async def test_fail_fast_then_recover_without_restart(
        self, node: tuple[LiveServer, list[str]], metadata_db: str
    ) -> None:
        server, ids = node
        load = Load(server.url, ids)
        workers = [asyncio.create_task(load.worker(i)) for i in range(WORKERS)]
        try:
            await load.until(200, 20)
            await take_database_away(metadata_db)
            await load.until(503, 20)
            async with httpx.AsyncClient(base_url=server.url, timeout=CLIENT_TIMEOUT_S) as client:
                readyz = await client.get("/readyz")
                assert readyz.status_code == 503, readyz.text
                assert readyz.json()["checks"]["database"].startswith("down")
                served_before = load.statuses[200]
                await bring_database_back(metadata_db)
                for _ in range(500):
                    if await _ready(client) == 200:
                        break
                    await asyncio.sleep(0.02)
                assert await _ready(client) == 200
            await load.until(200, served_before + 20)
        finally:
            load.stop.set()
            await asyncio.gather(*workers)
        assert not load.bad, "\n".join(load.bad[:20])
        assert load.statuses[503] >= 20

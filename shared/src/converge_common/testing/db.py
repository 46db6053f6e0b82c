"""Migrated test databases on SQLite and PostgreSQL.

Each service's schema is built once per test session and backend by its own Alembic
migrations; every test then starts from empty tables (deleted after the test), so tests can
use the service's real engine, several connections and background tasks.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import MetaData, text
from sqlalchemy.engine import make_url

from converge_common.db import make_engine, upgrade_database

__all__ = ["BACKENDS", "TestDatabase", "postgres_admin_url"]

BACKENDS = ("sqlite", "postgresql")


def postgres_admin_url() -> str | None:
    """``CONVERGE_TEST_POSTGRES_URL`` (e.g. ``postgresql+asyncpg://postgres@127.0.0.1/test``)."""
    return os.environ.get("CONVERGE_TEST_POSTGRES_URL") or None


@dataclass
class TestDatabase:
    """One service's migrated database for one backend."""

    __test__ = False  # not a test class

    service: str
    backend: str
    migrations: Path | None
    metadata: MetaData
    tmp_dir: Path
    extra_tables: Sequence[str] = ()
    url: str = ""
    _created: list[str] = field(default_factory=list)

    async def create(self) -> str:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
        if self.backend == "sqlite":
            path = self.tmp_dir / f"{self.service}-{worker}.db"
            self.url = f"sqlite+aiosqlite:///{path}"
        else:
            admin = postgres_admin_url()
            if admin is None:
                raise RuntimeError("CONVERGE_TEST_POSTGRES_URL is not set")
            base = make_url(admin)
            name = f"{base.database}_{self.service}_{worker}_{uuid.uuid4().hex[:6]}"
            engine = make_engine(admin)
            async with engine.connect() as conn:
                conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
            await engine.dispose()
            self._created.append(name)
            self.url = base.set(database=name).render_as_string(hide_password=False)
        if self.migrations is not None:
            await asyncio.to_thread(upgrade_database, self.migrations, self.url)
        return self.url

    async def clear(self) -> None:
        """Empty every table the service owns (children first)."""
        tables = [t.name for t in reversed(self.metadata.sorted_tables)]
        engine = make_engine(self.url)
        try:
            async with engine.begin() as conn:
                if self.backend == "postgresql":
                    names = ", ".join(f'"{t}"' for t in tables)
                    if names:
                        await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
                else:
                    for name in (*self.extra_tables, *tables):
                        await conn.execute(text(f'DELETE FROM "{name}"'))
        finally:
            await engine.dispose()

    async def drop(self) -> None:
        admin = postgres_admin_url()
        if self.backend != "postgresql" or admin is None:
            return
        engine = make_engine(admin)
        try:
            async with engine.connect() as conn:
                conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                for name in self._created:
                    await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            await engine.dispose()

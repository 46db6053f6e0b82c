"""Database: async SQLAlchemy engines and sessions, built in the lifespan from a URL.

SQLite (aiosqlite) is the embedded default, in WAL mode with foreign keys on; PostgreSQL
(asyncpg) in production. Each service migrates with its own Alembic scripts; only the
request's session dependency commits.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import DateTime, Dialect, MetaData, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = [
    "NAMING_CONVENTION",
    "Database",
    "SchemaNotCurrent",
    "UTCDateTime",
    "ensure_schema",
    "make_base_metadata",
    "make_engine",
    "run_migrations",
    "upgrade_database",
    "utcnow",
]

logger = logging.getLogger("converge.db")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def make_base_metadata() -> MetaData:
    """A fresh ``MetaData`` with the project's naming convention (one per service)."""
    return MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (the only kind ``UTCDateTime`` stores)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp column that takes and gives timezone-aware datetimes, always in UTC.

    The rule for naive datetimes: they are refused (``ValueError`` when bound). A naive value
    is ambiguous (local time? UTC?) and every caller builds its timestamps with
    ``datetime.now(UTC)`` or parses them with an offset, so a naive one is a bug to surface,
    not a value to guess at. Aware values in any zone are converted to UTC.

    PostgreSQL stores ``timestamptz``; SQLite keeps no offset, so the UTC wall time is stored
    and the UTC zone is put back when read. Both backends therefore store the same instant
    and return an aware UTC ``datetime``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"naive datetime {value.isoformat()} refused: give a timezone (datetime.now(UTC))"
            )
        value = value.astimezone(UTC)
        # SQLite's DATETIME keeps the wall time only; store it without an offset explicitly
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: object, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"UTCDateTime column returned {type(value).__name__}, not a datetime")
        # a naive value can only come from SQLite, which stored the UTC wall time
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_SQLITE_PRAGMAS = {
    "journal_mode": "WAL",
    "foreign_keys": "ON",
    "synchronous": "NORMAL",
    "busy_timeout": "10000",
}
_PRAGMA_NAME = re.compile(r"^[a-z_]+$")


def _sqlite_pragmas(pragmas: Mapping[str, str | int]) -> Callable[[Any, Any], None]:
    for name, value in pragmas.items():
        if not _PRAGMA_NAME.match(name) or not re.match(r"^-?[A-Za-z0-9_]+$", str(value)):
            raise ValueError(f"not a plain pragma: {name}={value}")

    def apply(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        cursor = dbapi_connection.cursor()
        for name, value in pragmas.items():
            cursor.execute(f"PRAGMA {name}={value}")
        cursor.close()

    return apply


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def make_engine(
    url: str,
    *,
    pool_size: int = 5,
    echo: bool = False,
    sqlite_pragmas: Mapping[str, str | int] | None = None,
    connect_timeout_s: float = 5.0,
) -> AsyncEngine:
    """The engine of one service. ``sqlite_pragmas`` add to (or override) the pragmas every
    SQLite connection gets: WAL, foreign keys, synchronous=NORMAL, a 10 s busy timeout.
    ``connect_timeout_s`` bounds connecting to PostgreSQL and waiting for a pooled connection,
    so that requests fail fast (503) while the database is unreachable."""
    # orjson for JSON columns: the stdlib encoder dominated bulk writes of JSON documents
    json = {"json_serializer": _json_dumps, "json_deserializer": orjson.loads}
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # each SQLite connection is a thread with its own page cache (about 4 MB resident once
        # warm); the default pool grew to 15 under 16 clients without answering any faster.
        # SQLite runs one writer at a time and the work is CPU in this process, so a further
        # request waits for one of ``pool_size`` connections (nothing here holds two at once)
        engine = create_async_engine(
            url,
            echo=echo,
            connect_args={"timeout": 10},
            pool_size=pool_size,
            max_overflow=0,
            **json,
        )
        pragmas = {**_SQLITE_PRAGMAS, **(sqlite_pragmas or {})}
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas(pragmas))
        return engine
    return create_async_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_timeout=connect_timeout_s,
        connect_args={"timeout": connect_timeout_s},
        **json,
    )


@dataclass
class Database:
    """The engine and session factory of one service, owned by its lifespan."""

    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        pool_size: int = 5,
        sqlite_pragmas: Mapping[str, str | int] | None = None,
        connect_timeout_s: float = 5.0,
    ) -> Database:
        engine = make_engine(
            url,
            pool_size=pool_size,
            sqlite_pragmas=sqlite_pragmas,
            connect_timeout_s=connect_timeout_s,
        )
        return cls(engine, async_sessionmaker(engine, expire_on_commit=False))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def session(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits when the caller finishes without error."""
        async with self.sessionmaker() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def dispose(self) -> None:
        await self.engine.dispose()


def _alembic_config(script_location: Path, url: str) -> Config:
    # imported here: alembic takes 0.7 s to import, and most processes never migrate
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["configure_logger"] = False
    return cfg


def run_migrations(connection: Connection, target_metadata: MetaData) -> None:
    """Body of every service's ``env.py``: migrate on an open connection."""
    from alembic import context

    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_env_online(url: str, target_metadata: MetaData) -> None:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.run_sync(run_migrations, target_metadata)
            await conn.commit()
    finally:
        await engine.dispose()


def upgrade_database(script_location: Path, url: str, revision: str = "head") -> None:
    """Run a service's migrations up to ``revision`` (blocking; call in a thread from async)."""
    from alembic import command

    command.upgrade(_alembic_config(script_location, url), revision)


async def upgrade_database_async(script_location: Path, url: str) -> None:
    await asyncio.to_thread(upgrade_database, script_location, url)


class SchemaNotCurrent(Exception):
    """The database is not at the newest schema and this process may not migrate it."""


def _heads(connection: Connection) -> set[str]:
    from alembic.runtime.migration import MigrationContext

    return set(MigrationContext.configure(connection).get_current_heads())


async def ensure_schema(script_location: Path, url: str, *, auto_migrate: bool) -> None:
    """Migrate the database when ``auto_migrate``; otherwise raise :class:`SchemaNotCurrent`
    unless it is at the newest schema already (a command that writes to an unmigrated database
    would otherwise fail on every batch)."""
    if auto_migrate:
        await upgrade_database_async(script_location, url)
        return
    from alembic.script import ScriptDirectory

    wanted = set(ScriptDirectory.from_config(_alembic_config(script_location, url)).get_heads())
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            current = await conn.run_sync(_heads)
    finally:
        await engine.dispose()
    if current != wanted:
        where = make_url(url).render_as_string(hide_password=True)
        state = (
            f"is at revision {', '.join(sorted(current))}, not {', '.join(sorted(wanted))}"
            if current
            else "has no schema"
        )
        raise SchemaNotCurrent(f"the database {where} {state}")

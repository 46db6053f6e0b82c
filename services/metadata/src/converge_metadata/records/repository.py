"""Every query on records, their versions, facet values and the search index rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    ColumnElement,
    Select,
    Table,
    and_,
    delete,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from converge_metadata import access
from converge_metadata.models import Record, RecordFacet, RecordVersion
from converge_metadata.records.indexing import SearchDocument
from converge_metadata.records.planning import JsonText

__all__ = [
    "catalogue_generation",
    "delete_derived",
    "earliest_datestamp",
    "get_record",
    "get_records",
    "get_version",
    "insert_facets",
    "insert_records",
    "insert_search_rows",
    "insert_versions",
    "list_changes",
    "list_versions",
    "public_clause",
    "records_query",
    "update_record_if_version",
    "update_records",
]

_SEARCH_COLUMNS = ("title", "body", "keywords", "people", "ids", "terms")
# bulk writes go through the Core tables (plain executemany), not the ORM's unit of work
_RECORDS = cast(Table, Record.__table__)
_VERSIONS = cast(Table, RecordVersion.__table__)
# an upsert, so a missing row (an emptied table) cannot silently stop the count
_BUMP_GENERATION = text(
    "INSERT INTO catalogue_state (id, generation) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET generation = catalogue_state.generation + 1"
)
_GENERATION = text("SELECT generation FROM catalogue_state WHERE id = 1")


def public_clause(today: date) -> ColumnElement[bool]:
    """What anyone may read (the rule is ``access.public_clause``)."""
    return access.public_clause(_RECORDS.c, today)


async def get_record(session: AsyncSession, local_id: str) -> Record | None:
    return await session.scalar(select(Record).where(Record.local_id == local_id))


async def get_records(session: AsyncSession, local_ids: Sequence[str]) -> dict[str, Record]:
    found: dict[str, Record] = {}
    # bounded IN lists: SQLite caps bound parameters per statement
    for start in range(0, len(local_ids), 500):
        chunk = local_ids[start : start + 500]
        rows = await session.scalars(select(Record).where(Record.local_id.in_(chunk)))
        found.update({r.local_id: r for r in rows})
    return found


async def insert_records(session: AsyncSession, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Insert many records at once; returns their primary keys by local id."""
    if not rows:
        return {}
    # one executemany: the ORM's bulk path with ordered RETURNING costs several times more
    # per row (per-row command collection, small multi-VALUES batches)
    await _insert_typed(session, _RECORDS, rows)
    local_ids = [row["local_id"] for row in rows]
    pks: dict[str, int] = {}
    for start in range(0, len(local_ids), 500):
        chunk = local_ids[start : start + 500]
        found = await session.execute(
            select(_RECORDS.c.local_id, _RECORDS.c.pk).where(_RECORDS.c.local_id.in_(chunk))
        )
        pks.update({local_id: pk for local_id, pk in found.all()})
    return pks


def _orm_values(values: dict[str, Any]) -> dict[str, Any]:
    """Values for an ORM statement: serialised documents parsed back (the JSON type encodes)."""
    document = values.get("document")
    if isinstance(document, JsonText):
        return {**values, "document": document.parsed()}
    return values


async def update_records(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Update many records by primary key (each dict has ``pk``)."""
    if rows:
        await session.execute(update(Record), [_orm_values(row) for row in rows])


async def insert_versions(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Record new versions. Every write to the catalogue goes through here, so this is also
    where its generation moves on (in the same transaction: see ``CatalogueState``)."""
    if rows:
        await _insert_typed(session, _VERSIONS, rows)
        await session.execute(_BUMP_GENERATION)


async def catalogue_generation(session: AsyncSession | AsyncConnection) -> int:
    """The generation of the catalogue as this session (or connection) sees it."""
    return int((await session.execute(_GENERATION)).scalar() or 0)


async def insert_facets(session: AsyncSession, rows: Sequence[tuple[int, str, str]]) -> None:
    """Insert ``(record_pk, dimension, value)`` rows: plain values, no type processing."""
    await _insert_plain(session, "record_facets", ("record_pk", "dimension", "value"), rows)


async def delete_derived(session: AsyncSession, pks: Sequence[int]) -> None:
    """Drop the facet and search rows of records that are rewritten or deleted."""
    for start in range(0, len(pks), 500):
        chunk = list(pks[start : start + 500])
        await session.execute(delete(RecordFacet).where(RecordFacet.record_pk.in_(chunk)))
        key = "rowid" if session.get_bind().dialect.name == "sqlite" else "record_pk"
        marks = ", ".join(f":p{i}" for i in range(len(chunk)))
        await session.execute(
            text(f"DELETE FROM record_search WHERE {key} IN ({marks})"),  # noqa: S608
            {f"p{i}": pk for i, pk in enumerate(chunk)},
        )


async def insert_search_rows(
    session: AsyncSession, rows: Iterable[tuple[int, SearchDocument]]
) -> None:
    key = "rowid" if session.get_bind().dialect.name == "sqlite" else "record_pk"
    params = [
        (pk, doc.title, doc.body, doc.keywords, doc.people, doc.ids, doc.terms) for pk, doc in rows
    ]
    await _insert_plain(session, "record_search", (key, *_SEARCH_COLUMNS), params)


async def _insert_typed(
    session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]]
) -> None:
    """One executemany on the driver for rows with the same keys, converted by the columns'
    own bind processors (UTC timestamps, dates, JSON documents) once per column."""
    if not rows:
        return
    connection = await session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    columns: list[list[Any]] = []
    for name in names:
        values = [row[name] for row in rows]
        column_type = table.c[name].type
        process = column_type.dialect_impl(dialect).bind_processor(dialect)
        if process is None:
            columns.append(values)
        elif isinstance(column_type, JSON):
            # documents serialised while planning are stored as they are
            columns.append([str(v) if isinstance(v, JsonText) else process(v) for v in values])
        else:  # timestamps and dates: a batch shares a few values (its clock), convert each once
            converted = {v: process(v) for v in set(values)}
            columns.append([converted[v] for v in values])
    await _insert_plain(session, table.name, names, list(zip(*columns, strict=True)))


async def _insert_plain(
    session: AsyncSession, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """One executemany straight on the driver, for rows of plain ints and strings.

    A Core ``insert()`` builds and type-processes a parameter dict per row in Python; for the
    dozen facet rows and the search row of every imported record that cost more than the
    database's own work. Values here need no conversion on either driver.
    """
    if not rows:
        return
    connection = await session.connection()
    style = connection.dialect.paramstyle
    if style == "qmark":
        marks = ", ".join("?" for _ in columns)
    elif style == "numeric_dollar":
        marks = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    else:  # format / pyformat drivers
        marks = ", ".join("%s" for _ in columns)
    names = ", ".join(columns)
    await connection.exec_driver_sql(
        f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608
        list(rows),
    )


async def list_versions(session: AsyncSession, record_pk: int) -> list[RecordVersion]:
    stmt = (
        select(RecordVersion)
        .where(RecordVersion.record_pk == record_pk)
        .order_by(RecordVersion.version.desc())
    )
    return list((await session.scalars(stmt)).all())


async def get_version(session: AsyncSession, record_pk: int, version: int) -> RecordVersion | None:
    return await session.scalar(
        select(RecordVersion).where(
            RecordVersion.record_pk == record_pk, RecordVersion.version == version
        )
    )


def records_query(
    *,
    include_drafts: bool,
    today: date,
    types: Sequence[str] = (),
    statuses: Sequence[str] = (),
    modified_since: datetime | None = None,
) -> Select[Record]:
    """Live records a caller may list, filtered; paged by the caller with ``keyset_page``."""
    stmt = select(Record).where(Record.deleted_at.is_(None))
    if not include_drafts:
        stmt = stmt.where(public_clause(today))
    if types:
        stmt = stmt.where(Record.type.in_(types))
    if statuses:
        stmt = stmt.where(Record.status.in_(statuses))
    if modified_since is not None:
        stmt = stmt.where(Record.modified_at >= modified_since)
    return stmt


async def update_record_if_version(
    session: AsyncSession, pk: int, expected_version: int, values: dict[str, Any]
) -> bool:
    """Compare-and-set on the version: ``False`` when another write got there first."""
    result = await session.execute(
        update(Record)
        .where(Record.pk == pk, Record.version == expected_version)
        .values(**_orm_values(values))
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def list_changes(
    session: AsyncSession,
    *,
    now: datetime,
    since: datetime | None = None,
    until: datetime | None = None,
    types: Sequence[str] = (),
    after: tuple[datetime, int] | None = None,
    limit: int = 100,
) -> list[Record]:
    """Published records and tombstones in datestamp order, for harvesters (OAI-PMH, DCAT).

    A tombstone (deleted or withdrawn, ``access.tombstone_clause``) is listed only when the
    record had been published. The
    datestamp of an embargoed record is the end of its embargo, so it is hidden until then and
    appears in incremental harvests on that day. Keyset paging on ``(datestamp, pk)``: pass
    the last row's pair as ``after``.
    """
    live = public_clause(now.date())
    tombstone = access.tombstone_clause(_RECORDS.c)
    stmt = select(Record).where(or_(live, tombstone), Record.datestamp <= now)
    if since is not None:
        stmt = stmt.where(Record.datestamp >= since)
    if until is not None:
        stmt = stmt.where(Record.datestamp <= until)
    if types:
        stmt = stmt.where(Record.type.in_(types))
    if after is not None:
        stamp, pk = after
        stmt = stmt.where(
            or_(Record.datestamp > stamp, and_(Record.datestamp == stamp, Record.pk > pk))
        )
    stmt = stmt.order_by(Record.datestamp, Record.pk).limit(limit)
    return list((await session.scalars(stmt)).all())


async def earliest_datestamp(session: AsyncSession) -> datetime | None:
    """OAI-PMH ``Identify`` needs the earliest datestamp the repository holds."""
    return await session.scalar(select(func.min(Record.datestamp)))

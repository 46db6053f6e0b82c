"""Every form of the access rules (``converge_metadata.access``) agrees with every other, on
every combination of status, deletion, access level and embargo date, on both databases:
the Python predicate, the SQLAlchemy clause, the text the search statements are built from,
the search's own match set, and the facet index's numpy masks."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio
from converge_common.db import Database
from converge_metadata import access
from converge_metadata.models import Record
from converge_metadata.records.repository import insert_records
from converge_metadata.search.facet_index import build_facet_index
from converge_metadata.search.repository import SearchSql
from converge_metadata.search.schemas import SearchFilters
from sqlalchemy import select, text

TODAY = datetime.now(UTC).date()
DATES = (None, TODAY - timedelta(days=1), TODAY, TODAY + timedelta(days=1))
STATES = list(itertools.product(("draft", "published"), (False, True), access.ACCESS_LEVELS, DATES))


def _row(index: int, status: str, deleted: bool, level: str, until: date | None) -> dict[str, Any]:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    access_doc: dict[str, Any] = {"level": level}
    if until is not None:
        access_doc["embargo_until"] = until.isoformat()
    return {
        "local_id": f"state-{index}",
        "type": "Dataset",
        "status": status,
        "access_level": level,
        "embargo_until": until,
        "sort_title": f"state {index}",
        "license": None,
        "issued_year": None,
        "document": {
            "type": "Dataset",
            "status": status,
            "title": {"en": "x"},
            "access": access_doc,
        },
        "content_hash": f"{index:064d}",
        "version": 1,
        "created_at": now,
        "modified_at": now,
        "published_at": now if status == "published" else None,
        "deleted_at": now if deleted else None,
        "datestamp": now,
        "created_by": "t",
        "modified_by": "t",
    }


@pytest_asyncio.fixture(loop_scope="session")
async def db(metadata_db: str) -> AsyncIterator[Database]:
    database = Database.from_url(metadata_db)
    try:
        async for session in database.session():
            await insert_records(session, [_row(i, *state) for i, state in enumerate(STATES)])
        yield database
    finally:
        await database.dispose()


@dataclass(frozen=True)
class Row:
    pk: int
    status: str
    deleted_at: datetime | None
    access_level: str
    embargo_until: date | None
    document: dict[str, Any]


async def _rows(db: Database) -> list[Row]:
    async for session in db.session():
        found = (await session.scalars(select(Record).order_by(Record.pk))).all()
        return [
            Row(r.pk, r.status, r.deleted_at, r.access_level, r.embargo_until, r.document)
            for r in found
        ]
    raise AssertionError("no session")


async def _pks(db: Database, sql: str) -> set[int]:
    async for session in db.session():
        return {int(pk) for (pk,) in (await session.execute(text(sql), {"today": TODAY})).all()}
    raise AssertionError("no session")


async def test_who_may_read_is_the_same_in_every_form(db: Database) -> None:
    rows = await _rows(db)
    assert len(rows) == len(STATES)
    by_python = {r.pk for r in rows if access.is_public(r, TODAY)}
    # the hand-checked truth for a few states, so that all forms cannot be wrong together
    expected = {
        ("published", False, "public", None): True,
        ("published", False, "controlled", None): True,
        ("published", False, "embargoed", TODAY): True,
        ("published", False, "embargoed", TODAY - timedelta(days=1)): True,
        ("published", False, "embargoed", TODAY + timedelta(days=1)): False,
        ("published", False, "embargoed", None): False,
        ("published", True, "public", None): False,
        ("draft", False, "public", None): False,
    }
    for row in rows:
        state = (row.status, row.deleted_at is not None, row.access_level, row.embargo_until)
        if state in expected:
            assert access.is_public(row, TODAY) is expected[state], state
    async for session in db.session():
        clause = access.public_clause(Record.__table__.c, TODAY)  # type: ignore[arg-type]
        by_clause = set((await session.scalars(select(Record.pk).where(clause))).all())
        dialect = session.get_bind().dialect.name
        search = SearchSql(dialect).match(SearchFilters(), steward=False, today=TODAY)
        by_search = {
            int(pk) for (pk,) in (await session.execute(text(search.keys_sql), search.params)).all()
        }
    by_text = await _pks(
        db, f"SELECT r.pk FROM records r WHERE {access.sql_text('public', dialect, 'r')}"
    )
    async with db.engine.connect() as conn:
        index = await build_facet_index(conn)
    mask = index.visible(steward=False, today=TODAY)
    by_index = {int(pk) for pk in index.pks[mask]}
    by_version = {
        r.pk for r in rows if r.deleted_at is None and access.version_is_public(r.document, TODAY)
    }
    assert by_python == by_clause == by_text == by_search == by_index == by_version
    assert 0 < len(by_python) < len(rows)
    # stewards see every live record, in every form
    assert set(index.pks[index.visible(steward=True, today=TODAY)].tolist()) == {
        r.pk for r in rows if r.deleted_at is None
    }
    viewer = access.Viewer(steward=True, today=TODAY)
    assert all(access.visible_to(r, viewer) for r in rows)


async def test_effective_access_is_the_same_in_every_form(db: Database) -> None:
    rows = await _rows(db)
    by_python = {
        r.pk: access.effective_access(r.access_level, r.embargo_until, TODAY) for r in rows
    }
    assert by_python[rows[0].pk] in access.ACCESS_LEVELS
    lapsed = [
        r.pk
        for r in rows
        if r.access_level == "embargoed" and r.embargo_until and r.embargo_until <= TODAY
    ]
    assert lapsed
    assert all(by_python[pk] == "public" for pk in lapsed)
    async for session in db.session():
        dialect = session.get_bind().dialect.name
        clause = access.effective_access_clause(Record.__table__.c, TODAY)  # type: ignore[arg-type]
        by_clause = dict((await session.execute(select(Record.pk, clause))).all())
        lapsed_sql = access.sql_text("lapsed", dialect, "e")
        by_lapsed = await _pks(db, f"SELECT e.pk FROM records e WHERE {lapsed_sql}")
    effective_sql = access.sql_text("effective", dialect, "r")
    async for session in db.session():
        found = await session.execute(
            text(f"SELECT r.pk, {effective_sql} FROM records r"), {"today": TODAY}
        )
        by_text = {int(pk): str(level) for pk, level in found.all()}
    async with db.engine.connect() as conn:
        index = await build_facet_index(conn)
    codes = access.effective_codes(access=index.access, embargo=index.embargo, today=TODAY)
    by_index = {
        int(pk): access.ACCESS_LEVELS[int(c)] for pk, c in zip(index.pks, codes, strict=True)
    }
    assert by_python == by_clause == by_text
    assert by_index == {pk: level for pk, level in by_python.items() if pk in by_index}
    assert set(lapsed) == by_lapsed


@pytest.mark.parametrize(
    ("clearance", "shown"),
    [
        (access.Viewer(steward=False, today=TODAY), False),
        (access.Viewer(steward=False, today=TODAY, controlled=True), True),
        (access.Viewer(steward=True, today=TODAY), True),
    ],
)
def test_restricted_fields_follow_the_clearance(clearance: access.Viewer, shown: bool) -> None:
    document = {
        "access": {"level": "controlled", "dac": {"name": "DAC", "email": "d@example.org"}},
        "dataset": {
            "distributions": [
                {
                    "download_url": "https://x.example/d",
                    "checksum": {"algorithm": "md5", "value": "0" * 32},
                    "byte_size": 3,
                }
            ]
        },
    }
    result = access.shown_document(document, clearance, request_access_url="https://node/records/r")
    distribution = result["dataset"]["distributions"][0]
    if shown:
        assert result is document
    else:
        assert distribution == {"byte_size": 3, "access_url": "https://node/records/r"}
        assert document["dataset"]["distributions"][0]["download_url"] == "https://x.example/d"
    public = {**document, "access": {"level": "public"}}
    assert access.shown_document(public, clearance, request_access_url="u") is public


async def test_tombstones_are_the_same_in_python_and_sql(db: Database) -> None:
    async for session in db.session():
        rows = (await session.scalars(select(Record))).all()
        by_python = {r.pk for r in rows if access.is_tombstone(r, published_at=r.published_at)}
        clause = access.tombstone_clause(Record.__table__.c)  # type: ignore[arg-type]
        by_sql = set((await session.scalars(select(Record.pk).where(clause))).all())
        # once published (every published row here), now deleted
        expected = {r.pk for r in rows if r.status == "published" and r.deleted_at is not None}
    assert by_python == by_sql == expected
    assert expected

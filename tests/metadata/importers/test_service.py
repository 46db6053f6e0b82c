"""Importing into a real database (SQLite and PostgreSQL): the sample files, idempotency,
mixed batches and a batch whose database write fails."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest_asyncio
from converge_common.db import Database
from converge_metadata.importers.schemas import ImportFormat, ImportReport
from converge_metadata.importers.service import import_sources
from converge_metadata.vocab import Vocabularies
from sqlalchemy import text

from tests.metadata.conftest import dataset
from tests.metadata.importers.conftest import (
    BIOSCHEMAS,
    BIOTOOLS,
    BROKEN_BIOSCHEMAS,
    DATA,
    DATACITE,
    count,
)


async def _import_files(
    db: Database, vocab: Vocabularies, fmt: ImportFormat, paths: Sequence[Path], **kw: Any
) -> ImportReport:
    with ExitStack() as stack:
        sources = [(str(p.relative_to(DATA)), stack.enter_context(p.open("rb"))) for p in paths]
        return await import_sources(db, sources, fmt=fmt, vocab=vocab, actor="test", **kw)


async def _import_lines(
    db: Database, vocab: Vocabularies, records: list[dict[str, Any]], **kw: Any
) -> ImportReport:
    body = io.BytesIO(b"".join(json.dumps(r).encode() + b"\n" for r in records))
    return await import_sources(
        db, [("lines", body)], fmt=ImportFormat.jsonl, vocab=vocab, actor="test", **kw
    )


class TestSampleFiles:
    async def test_all_biotools_records(self, db: Database, vocab: Vocabularies) -> None:
        report = await _import_files(db, vocab, ImportFormat.biotools, BIOTOOLS)
        assert report.rejected == []
        assert (report.imported, report.created) == (200, 200)
        assert await count(db, "records") == 200

    async def test_all_datacite_examples(self, db: Database, vocab: Vocabularies) -> None:
        report = await _import_files(db, vocab, ImportFormat.datacite, DATACITE)
        assert report.rejected == []
        assert report.imported == 31
        # two examples describe the same DOI: the second updates the first
        assert (report.created, report.updated) == (30, 1)
        assert await count(db, "records") == 30

    async def test_bioschemas_examples(self, db: Database, vocab: Vocabularies) -> None:
        report = await _import_files(db, vocab, ImportFormat.bioschemas, BIOSCHEMAS)
        by_file = {r.position.split("#")[0]: r for r in report.rejected}
        broken = {f"bioschemas/{name}" for name in BROKEN_BIOSCHEMAS}
        assert {p for p, r in by_file.items() if r.errors[0].rule == "json"} == broken
        other_rules = {r.errors[0].rule for p, r in by_file.items() if p not in broken}
        assert other_rules == {"unsupported_type"}
        # 8 Dataset examples (template included), 1 ComputationalTool, 2 workflows of one @id
        assert report.imported == 11
        assert await count(db, "records") == 10
        rejected_datasets = [p for p in by_file if p.startswith("bioschemas/Dataset/")]
        assert rejected_datasets == []


class TestIdempotency:
    async def test_second_import_changes_nothing(self, db: Database, vocab: Vocabularies) -> None:
        paths = BIOTOOLS[:40]
        first = await _import_files(db, vocab, ImportFormat.biotools, paths, batch_size=15)
        versions = await count(db, "record_versions")
        second = await _import_files(db, vocab, ImportFormat.biotools, paths, batch_size=15)
        assert (first.created, second.created, second.updated) == (40, 0, 0)
        assert second.unchanged == 40
        assert await count(db, "records") == 40
        assert await count(db, "record_versions") == versions == 40

    async def test_changed_content_is_a_new_version(
        self, db: Database, vocab: Vocabularies
    ) -> None:
        await _import_lines(db, vocab, [dataset()])
        report = await _import_lines(db, vocab, [dataset(keywords=["changed"])])
        assert (report.updated, report.created) == (1, 0)
        assert await count(db, "record_versions") == 2


class TestMixedBatch:
    async def test_good_records_stored_bad_ones_reported(
        self, db: Database, vocab: Vocabularies
    ) -> None:
        records = [
            dataset(id="good-1"),
            dataset(id="bad-orcid", creators=[{"name": "X", "orcid": "0000-0002-1825-0098"}]),
            dataset(id="good-2"),
            dataset(id="bad-topic", topics=["topic_9999"]),
        ]
        report = await _import_lines(db, vocab, records)
        assert report.imported == 2
        assert [(r.position, r.identifier) for r in report.rejected] == [
            ("lines:2", "bad-orcid"),
            ("lines:4", "bad-topic"),
        ]
        assert report.rejected[0].errors[0].pointer == "/creators/0/orcid"
        assert report.rejected[0].errors[0].rule == "orcid_checksum"
        assert report.rejected[1].errors[0].rule == "edam_term"
        assert await count(db, "records") == 2


@pytest_asyncio.fixture(loop_scope="session")
async def failing_insert(db: Database) -> AsyncIterator[str]:
    """A trigger that makes the database refuse the record ``boom``: a real failure mid-batch."""
    statements = {
        "sqlite": [
            "CREATE TRIGGER import_boom BEFORE INSERT ON records WHEN NEW.local_id = 'boom' "
            "BEGIN SELECT RAISE(ABORT, 'boom'); END"
        ],
        "postgresql": [
            "CREATE FUNCTION import_boom() RETURNS trigger AS $$ BEGIN "
            "IF NEW.local_id = 'boom' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END "
            "$$ LANGUAGE plpgsql",
            "CREATE TRIGGER import_boom BEFORE INSERT ON records FOR EACH ROW "
            "EXECUTE FUNCTION import_boom()",
        ],
    }[db.dialect]
    async with db.engine.begin() as conn:
        for statement in statements:
            await conn.execute(text(statement))
    try:
        yield "boom"
    finally:
        async with db.engine.begin() as conn:
            await conn.execute(
                text(
                    "DROP TRIGGER import_boom"
                    + (" ON records" if db.dialect == "postgresql" else "")
                )
            )
            if db.dialect == "postgresql":
                await conn.execute(text("DROP FUNCTION import_boom()"))


class TestDatabaseFailure:
    async def test_failed_batch_is_rolled_back_others_kept(
        self, db: Database, vocab: Vocabularies, failing_insert: str
    ) -> None:
        ids = ["a", "b", "c", "d", failing_insert, "e", "f"]
        report = await _import_lines(db, vocab, [dataset(id=i) for i in ids], batch_size=3)
        assert report.imported == 4
        assert [r.identifier for r in report.rejected] == ["d", "boom", "e"]
        assert {r.errors[0].rule for r in report.rejected} == {"batch_failed"}
        async with db.engine.connect() as conn:
            stored = (await conn.execute(text("SELECT local_id FROM records"))).scalars().all()
        assert sorted(stored) == ["a", "b", "c", "f"]
        assert await count(db, "record_versions") == 4

"""The batch upsert importers call, and the harvest listing by datestamp."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from converge_common.db import Database
from converge_metadata.records import repository
from converge_metadata.records.schemas import RecordCreate
from converge_metadata.records.service import delete_record
from converge_metadata.records.upsert import upsert_records
from converge_metadata.vocab import Vocabularies

from tests.metadata.conftest import dataset


def _records(*bodies: dict[str, object]) -> list[RecordCreate]:
    return [RecordCreate.model_validate(b) for b in bodies]


class TestUpsert:
    async def test_create_then_idempotent_then_update(
        self, metadata_db: str, vocab: Vocabularies
    ) -> None:
        db = Database.from_url(metadata_db)
        try:
            async for session in db.session():
                report = await upsert_records(
                    session, _records(dataset(), dataset(id="b")), actor="importer", vocab=vocab
                )
                assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
            async for session in db.session():
                again = await upsert_records(
                    session,
                    _records(dataset(), dataset(id="b", keywords=["new"])),
                    actor="importer",
                    vocab=vocab,
                )
                assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
            async for session in db.session():
                record = await repository.get_record(session, "b")
                assert record is not None
                assert record.version == 2
                versions = await repository.list_versions(session, record.pk)
                assert [v.action for v in versions] == ["import", "create"]
        finally:
            await db.dispose()

    async def test_failures_reported_others_stored(
        self, metadata_db: str, vocab: Vocabularies
    ) -> None:
        no_id = dataset(identifiers=[])
        del no_id["id"]
        derived = dataset(identifiers=[{"scheme": "doi", "value": "10.1234/ABC.5"}])
        del derived["id"]
        batch = _records(
            dataset(topics=["topic_9999"]), no_id, derived, dataset(id="ok"), dataset(id="ok")
        )
        db = Database.from_url(metadata_db)
        try:
            async for session in db.session():
                report = await upsert_records(session, batch, actor="importer", vocab=vocab)
                assert report.created == 2
                failed = [
                    (f.index, f.errors[0]["pointer"], f.errors[0]["rule"]) for f in report.failed
                ]
                assert failed == [
                    (0, "/topics/0", "edam_term"),
                    (1, "/id", "required"),
                    (4, "/id", "duplicate_id"),
                ]
            async for session in db.session():
                assert await repository.get_record(session, "doi-10.1234-ABC.5") is not None
        finally:
            await db.dispose()


class TestHarvestListing:
    async def test_datestamp_order_tombstones_and_embargo(
        self, metadata_db: str, vocab: Vocabularies
    ) -> None:
        future = datetime.now(UTC).date() + timedelta(days=5)
        batch = _records(
            dataset(id="a"),
            dataset(id="draft", status="draft"),
            dataset(id="later", access={"level": "embargoed", "embargo_until": future.isoformat()}),
        )
        db = Database.from_url(metadata_db)
        try:
            async for session in db.session():
                await upsert_records(session, batch, actor="importer", vocab=vocab)
            async for session in db.session():
                await delete_record(session, "a", if_match='"a.v1"', actor="steward")
            async for session in db.session():
                now = datetime.now(UTC)
                rows = await repository.list_changes(session, now=now)
                assert [(r.local_id, r.deleted_at is not None) for r in rows] == [("a", True)]
                after_embargo = now + timedelta(days=6)
                rows = await repository.list_changes(session, now=after_embargo, limit=1)
                assert [r.local_id for r in rows] == ["a"]
                rest = await repository.list_changes(
                    session, now=after_embargo, after=(rows[0].datestamp, rows[0].pk)
                )
                assert [r.local_id for r in rest] == ["later"]
        finally:
            await db.dispose()

"""``converge-metadata import`` and ``seed`` on a real SQLite file."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from converge_common.db import Database
from converge_metadata.cli import main
from converge_metadata.importers.exceptions import ImportWorkerFailed
from converge_metadata.importers.samples import national_resources, owner_of
from converge_metadata.importers.schemas import ImportFormat
from converge_metadata.importers.service import import_files
from converge_metadata.settings import get_settings
from sqlalchemy import text

from bench.metadata_corpus import generate
from tests.metadata.importers.conftest import (
    BIOTOOLS,
    DATA,
    DATACITE,
    DEEP_ARRAY,
    DEEP_OBJECT,
    count,
)


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("CONVERGE_METADATA_DATABASE_URL", url)
    monkeypatch.setenv("CONVERGE_METADATA_LOG_JSON", "false")
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def _count(url: str, table: str) -> int:
    async def run() -> int:
        db = Database.from_url(url)
        try:
            return await count(db, table)
        finally:
            await db.dispose()

    return asyncio.run(run())


def test_import_migrates_and_imports(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(p) for p in BIOTOOLS[:25]]
    assert main(["import", "--format", "biotools", *files]) == 0
    assert "25 imported (25 created" in capsys.readouterr().err
    assert _count(database, "records") == 25


def test_auto_format_and_strict(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "x", "type": "Dataset"}\n')
    files = [str(BIOTOOLS[0]), str(DATACITE[0]), str(broken)]
    assert main(["import", "--format", "auto", *files]) == 0
    assert main(["import", "--format", "auto", "--strict", *files]) == 1
    err = capsys.readouterr().err
    assert "rejected" in err
    assert "broken.jsonl:1: /title required" in err
    assert _count(database, "records") == 2


def test_seed_is_idempotent(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["seed", "--sample-data", str(DATA), "--node-id", "fi", "--nodes", "de,fi,pt"]
    assert main(args) == 0
    records = _count(database, "records")
    assert main(args) == 0
    assert _count(database, "records") == records > 20
    assert f"0 created, 0 updated, {records} unchanged" in capsys.readouterr().err


def test_tools_go_to_their_country() -> None:
    assert owner_of({"biotoolsID": "t", "elixirNode": ["Portugal"]}, ["de", "fi", "pt"]) == "pt"
    assert owner_of({"biotoolsID": "t", "elixirNode": ["Spain"]}, ["de", "fi", "pt"]) in {
        "de",
        "fi",
        "pt",
    }


def test_national_resources() -> None:
    records = national_resources(DATA, "de")
    by_id = {r["id"]: r for r in records}
    assert by_id["rdmkit-de-ghga"]["type"] == "Dataset"
    assert by_id["rdmkit-de-rdmo"]["type"] == "Software"
    assert any(r["type"] == "TrainingMaterial" for r in records)
    assert national_resources(DATA, "xx") == []


def _rows(url: str) -> list[tuple[object, ...]]:
    async def run() -> list[tuple[object, ...]]:
        db = Database.from_url(url)
        try:
            async with db.engine.connect() as conn:
                records = await conn.execute(
                    text("SELECT local_id, version, status, content_hash FROM records ORDER BY 1")
                )
                facets = await conn.execute(
                    text(
                        "SELECT r.local_id, f.dimension, f.value FROM record_facets f "
                        "JOIN records r ON r.pk = f.record_pk ORDER BY 1, 2, 3"
                    )
                )
                return [*records.all(), *facets.all()]
        finally:
            await db.dispose()

    return asyncio.run(run())


def _corpus(path: Path) -> Path:
    lines = [orjson.dumps(body) for body in generate(300, seed=11)]
    lines.insert(40, b"not json")
    bad = {"id": "bad", "type": "Dataset", "title": {"en": "x"}, "topics": ["topic_9999"]}
    lines.insert(90, orjson.dumps(bad))
    lines.append(lines[5])  # the same record again: starts a new batch and updates nothing
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_worker_process_imports_exactly_what_one_process_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = str(_corpus(tmp_path / "corpus.jsonl"))
    outcomes = {}
    for mode in ("--worker", "--no-worker"):
        url = f"sqlite+aiosqlite:///{tmp_path / (mode + '.db')}"
        monkeypatch.setenv("CONVERGE_METADATA_DATABASE_URL", url)
        get_settings.cache_clear()
        args = ["import", "--format", "jsonl", "--batch-size", "64", mode, source]
        assert main(args) == 0
        err = capsys.readouterr().err
        assert "301 imported (300 created, 0 updated, 1 unchanged;" in err
        assert "), 2 rejected, " in err
        assert "corpus.jsonl:41: / json" in err
        assert "corpus.jsonl:91: /topics/0 edam_term" in err
        outcomes[mode] = _rows(url)
        assert main(args) == 0  # again: nothing changes
        assert "0 created, 0 updated, 301 unchanged" in capsys.readouterr().err
    get_settings.cache_clear()
    assert outcomes["--worker"] == outcomes["--no-worker"]
    assert len(outcomes["--worker"]) > 300 * 5


async def test_a_failing_worker_fails_the_import(tmp_path: Path, database: str) -> None:
    source = _corpus(tmp_path / "corpus.jsonl")
    db = Database.from_url(database)
    try:
        with pytest.raises(ImportWorkerFailed, match="import worker failed"):
            await import_files(
                db,
                [("corpus.jsonl", source)],
                fmt=ImportFormat.jsonl,
                vocab_dir=tmp_path / "no-such-vocabularies",
                actor="t",
            )
    finally:
        await db.dispose()


@pytest.mark.parametrize("worker", ["--worker", "--no-worker"])
def test_deep_input_is_rejected_by_the_command(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], worker: str
) -> None:
    deep = tmp_path / "deep.jsonld"
    deep.write_bytes(DEEP_ARRAY)
    lines = tmp_path / "mixed.jsonl"
    good = orjson.dumps({"id": "ok", "type": "Dataset", "title": {"en": "Shallow"}})
    lines.write_bytes(good + b"\n" + DEEP_OBJECT + b"\n")
    assert main(["import", "--format", "auto", worker, str(deep), str(lines)]) == 0
    err = capsys.readouterr().err
    assert "1 imported (1 created, 0 updated, 0 unchanged; 1 of them drafts), 2 rejected" in err
    assert f"rejected {deep}[0]: / max_depth" in err
    assert f"rejected {lines}:2: / max_depth" in err

"""``converge-metadata import`` and ``seed`` on a real SQLite file."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from converge_common.db import Database
from converge_metadata.cli import main
from converge_metadata.importers.samples import national_resources, owner_of
from converge_metadata.settings import get_settings

from tests.metadata.importers.conftest import BIOTOOLS, DATA, DATACITE, count


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

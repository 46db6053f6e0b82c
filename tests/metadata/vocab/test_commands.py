"""``converge-metadata vocab load-taxonomy`` on a real SQLite file, then the service on it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from converge_common.testing.asgi import asgi_client
from converge_metadata.app import create_app
from converge_metadata.cli import main
from converge_metadata.settings import MetadataSettings, get_settings
from converge_metadata.vocab.loader import clear_cache as clear_vocabulary_cache

from tests.metadata.conftest import dataset
from tests.metadata.vocab.conftest import FAKE_ID


@pytest.fixture
def var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    data_dir = tmp_path / "var"
    monkeypatch.setenv("CONVERGE_METADATA_DATA_DIR", str(data_dir))
    monkeypatch.setenv("CONVERGE_METADATA_LOG_JSON", "false")
    get_settings.cache_clear()
    clear_vocabulary_cache()
    yield data_dir
    get_settings.cache_clear()
    clear_vocabulary_cache()


async def _read(data_dir: Path, *paths: str) -> list[Any]:
    settings = MetadataSettings(data_dir=data_dir, node_id="de", log_json=False)
    async with asgi_client(create_app(settings)) as client:
        return [(await client.get(path)).json() for path in paths]


def test_load_taxonomy_relabels_stored_records(
    var: Path, tmp_path: Path, taxdump: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    records = tmp_path / "records.jsonl"
    bodies = [
        dataset(id="fabricated", title={"en": "Survey"}, dataset={"organisms": [str(FAKE_ID)]}),
        dataset(id="cress", title={"en": "Roots"}, dataset={"organisms": ["3702"]}),
    ]
    records.write_text("".join(json.dumps(b) + "\n" for b in bodies))
    assert main(["import", "--format", "jsonl", str(records)]) == 0
    # before: the id is accepted on syntax alone, and has no name to search by
    (before,) = asyncio.run(_read(var, "/api/v1/search?q=testbug"))
    assert before["total"] == 0

    names, nodes = taxdump
    assert main(["vocab", "load-taxonomy", str(names), "--nodes", str(nodes)]) == 0
    err = capsys.readouterr().err
    assert "4 taxa (6 names, 4 nodes) loaded into" in err
    assert "1 records relabelled, 1 unchanged, 0 failed" in err
    assert (var / "ncbi-taxonomy.sqlite").is_file()

    record, found, facets = asyncio.run(
        _read(
            var,
            "/api/v1/records/fabricated",
            "/api/v1/search?q=testbug",
            f"/api/v1/search?organism={FAKE_ID}",
        )
    )
    assert record["dataset"]["organisms"][0]["label"] == "Fabricatia exemplaris"
    assert record["version"] == 2
    assert [i["id"] for i in found["items"]] == ["fabricated"]
    assert facets["facets"]["organism"][0]["label"] == "Fabricatia exemplaris"


def test_bad_input_is_refused(
    var: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["vocab", "load-taxonomy", str(tmp_path / "missing.dmp")]) == 2
    assert "missing.dmp: no such file" in capsys.readouterr().err
    wrong = tmp_path / "names.dmp"
    wrong.write_text("not,a,taxdump\n")
    assert main(["vocab", "load-taxonomy", str(wrong)]) == 2
    assert "no taxdump rows" in capsys.readouterr().err
    assert not (var / "ncbi-taxonomy.sqlite").exists()

"""The services' command lines, run as a person runs them: real processes, real databases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from converge_common.testing.db import TestDatabase
from sqlalchemy import MetaData

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("metadata", "impact", "registry", "gateway")
RECORD = {"type": "Dataset", "title": {"en": "Proteomes of the Baltic Sea"}}


def _cli(
    service: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", f"converge_{service}.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, f"CONVERGE_{service.upper()}_LOG_JSON": "false", **(env or {})},
        timeout=300,
        check=False,
    )


@pytest_asyncio.fixture(loop_scope="session")
async def empty_database(db_backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A database nobody has migrated, on each backend."""
    database = TestDatabase(
        service="cli", backend=db_backend, migrations=None, metadata=MetaData(), tmp_dir=tmp_path
    )
    try:
        yield await database.create()
    finally:
        await database.drop()


class TestHelp:
    @pytest.mark.parametrize("service", SERVICES)
    def test_help_imports_neither_the_app_nor_the_database(self, service: str) -> None:
        # ``-X importtime`` lists every module the process imported on stderr
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", f"converge_{service}.cli", "--help"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0
        assert f"converge-{service}" in done.stdout
        imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
        assert "fastapi" not in imported
        assert "sqlalchemy" not in imported
        assert f"converge_{service}.app" not in imported


class TestUnmigratedDatabase:
    def test_import_names_the_migrate_command(self, empty_database: str, tmp_path: Path) -> None:
        source = tmp_path / "records.jsonl"
        source.write_text(json.dumps(RECORD) + "\n")
        env = {"CONVERGE_METADATA_AUTO_MIGRATE": "false"}
        args = ("import", "--format", "jsonl", "--database-url", empty_database, str(source))
        refused = _cli("metadata", *args, env=env)
        assert refused.returncode == 2
        assert "run `converge-metadata migrate` first" in refused.stderr
        assert "batch_failed" not in refused.stderr
        migrated = _cli("metadata", "migrate", "--database-url", empty_database, env=env)
        assert migrated.returncode == 0, migrated.stderr
        done = _cli("metadata", *args, env=env)
        assert done.returncode == 0, done.stderr
        assert "1 imported (1 created" in done.stderr

    def test_usage_load_names_the_migrate_command(
        self, empty_database: str, tmp_path: Path
    ) -> None:
        log = tmp_path / "access.log"
        log.write_text("")
        refused = _cli(
            "impact",
            "usage",
            "load",
            "--format",
            "clf",
            "--database-url",
            empty_database,
            str(log),
            env={"CONVERGE_IMPACT_AUTO_MIGRATE": "false"},
        )
        assert refused.returncode == 2
        assert "run `converge-impact migrate` first" in refused.stderr


class TestImport:
    def test_a_directory_drafts_and_warnings_are_counted(self, tmp_path: Path) -> None:
        folder = tmp_path / "in"
        (folder / "more").mkdir(parents=True)
        (folder / ".hidden.jsonl").write_text("not read\n")
        published = {**RECORD, "id": "a", "status": "published"}
        draft = {**RECORD, "id": "b", "title": {"en": "A record without a status"}}
        (folder / "one.jsonl").write_text(json.dumps(published) + "\n")
        (folder / "more" / "two.jsonl").write_text(json.dumps(draft) + "\n")
        database = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
        done = _cli(
            "metadata", "import", "--format", "auto", "--database-url", database, str(folder)
        )
        assert done.returncode == 0, done.stderr
        assert "2 imported (2 created, 0 updated, 0 unchanged; 1 of them drafts)" in done.stderr
        assert "0 rejected, 0 warnings" in done.stderr
        assert "drafts are seen by the Node's stewards only" in done.stderr
        assert (tmp_path / "cli.db").exists()

    def test_warnings_are_listed(self, tmp_path: Path) -> None:
        biotools = sorted((ROOT / "data" / "biotools").rglob("*.json"))
        database = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
        done = _cli(
            "metadata",
            "import",
            "--format",
            "biotools",
            "--database-url",
            database,
            *map(str, biotools),
        )
        assert done.returncode == 0, done.stderr
        summary = next(line for line in done.stderr.splitlines() if " imported (" in line)
        warnings = int(summary.rsplit(", ", 1)[-1].split()[0])
        listed = [line for line in done.stderr.splitlines() if line.startswith("  warning ")]
        assert warnings > 0
        assert len(listed) == warnings

    def test_a_missing_path_is_named(self, tmp_path: Path) -> None:
        database = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
        missing = tmp_path / "nowhere"
        done = _cli(
            "metadata", "import", "--format", "auto", "--database-url", database, str(missing)
        )
        assert done.returncode != 0
        assert f"no file or directory {missing}" in done.stderr

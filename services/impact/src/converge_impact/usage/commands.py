"""``converge-impact usage load --format clf|counter FILE``: load a log file from the shell
(its arguments are in ``usage/arguments.py``)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from converge_common.db import Database, ensure_schema

from converge_impact.settings import get_settings
from converge_impact.usage.loading import load_path

__all__ = ["run_usage"]


async def _load(path: Path, format: str, migrations: Path) -> str:
    settings = get_settings()
    await ensure_schema(migrations, settings.database_url, auto_migrate=bool(settings.auto_migrate))
    db = Database.from_url(settings.database_url)
    try:
        async for session in db.session():
            report = await load_path(session, path, format="clf" if format == "clf" else "counter")
    finally:
        await db.dispose()
    return report.model_dump_json(indent=2)


def run_usage(args: argparse.Namespace) -> int:
    from converge_impact.app import MIGRATIONS

    path: Path = args.file
    if not path.is_file():
        print(f"converge-impact: no file {path}", file=sys.stderr)
        return 2
    print(asyncio.run(_load(path, args.format, MIGRATIONS)))
    return 0

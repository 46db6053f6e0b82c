"""``converge-impact usage load --format clf|counter FILE``: load a log file from the shell."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from converge_common.cli import Command
from converge_common.db import Database, upgrade_database_async

from converge_impact.settings import get_settings
from converge_impact.usage.loading import load_path

__all__ = ["USAGE_COMMAND"]


def _configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="usage_action", required=True)
    load = actions.add_parser("load", help="load a log file and recount its months")
    load.add_argument("--format", choices=("clf", "counter"), required=True)
    load.add_argument("file", type=Path)


async def _load(path: Path, format: str, migrations: Path) -> str:
    settings = get_settings()
    if settings.auto_migrate:
        await upgrade_database_async(migrations, settings.database_url)
    db = Database.from_url(settings.database_url)
    try:
        async for session in db.session():
            report = await load_path(session, path, format="clf" if format == "clf" else "counter")
    finally:
        await db.dispose()
    return report.model_dump_json(indent=2)


def _run(args: argparse.Namespace) -> int:
    from converge_impact.app import MIGRATIONS

    path: Path = args.file
    if not path.is_file():
        print(f"converge-impact: no file {path}", file=sys.stderr)
        return 2
    print(asyncio.run(_load(path, args.format, MIGRATIONS)))
    return 0


USAGE_COMMAND: Command = ("usage", "COUNTER usage: load log files", _configure, _run)

"""``converge-metadata vocab load-taxonomy``: load the full NCBI Taxonomy an operator
downloaded, then refresh the organism labels of stored records."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from converge_common.db import Database, upgrade_database

from converge_metadata.records.upsert import ImportReport
from converge_metadata.settings import MetadataSettings, get_settings
from converge_metadata.vocab.loader import clear_cache as clear_vocabulary_cache
from converge_metadata.vocab.loader import load_vocabularies
from converge_metadata.vocab.service import refresh_organisms
from converge_metadata.vocab.taxonomy_store import TaxdumpError, build_store

__all__ = ["run_vocab"]

_MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
_ACTOR = "vocab:ncbi-taxonomy"


def run_vocab(args: argparse.Namespace) -> int:
    settings = get_settings()
    store = settings.taxonomy_store
    assert store is not None  # the settings fill in the default
    for path in (args.source, args.nodes):
        if path is not None and not path.is_file():
            sys.stderr.write(f"converge-metadata: {path}: no such file\n")
            return 2
    try:
        report = build_store(args.source, store, nodes=args.nodes)
    except (TaxdumpError, UnicodeDecodeError, OSError) as exc:
        sys.stderr.write(f"converge-metadata: {exc}\n")
        return 2
    sys.stderr.write(
        f"converge-metadata: {report.taxa} taxa ({report.names} names, {report.nodes} nodes)"
        f" loaded into {store}"
        + (
            f"; {report.skipped_lines} lines that are no taxdump rows skipped"
            if report.skipped_lines
            else ""
        )
        + "\n"
    )
    if args.refresh:
        refreshed = asyncio.run(_refresh(settings, store))
        sys.stderr.write(
            f"converge-metadata: {refreshed.updated} records relabelled,"
            f" {refreshed.unchanged} unchanged, {len(refreshed.failed)} failed\n"
        )
        for failure in refreshed.failed:
            reasons = "; ".join(f"{e['pointer'] or '/'} {e['rule']}" for e in failure.errors)
            sys.stderr.write(f"  {failure.id}: {reasons}\n")
    sys.stderr.write("converge-metadata: restart the metadata service to use the new taxonomy\n")
    return 0


async def _refresh(settings: MetadataSettings, store: Path) -> ImportReport:
    if settings.auto_migrate:
        await asyncio.to_thread(upgrade_database, _MIGRATIONS, settings.database_url)
    clear_vocabulary_cache()  # a store loaded earlier in this process is stale
    vocab = load_vocabularies(settings.vocab_dir, store)
    db = Database.from_url(settings.database_url)
    try:
        return await refresh_organisms(db, vocab, actor=_ACTOR)
    finally:
        await db.dispose()

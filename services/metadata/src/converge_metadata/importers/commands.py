"""``converge-metadata import`` and ``converge-metadata seed``: imports straight into the
configured database, with a progress line on a terminal."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from contextlib import ExitStack
from itertools import groupby
from pathlib import Path
from typing import IO

from converge_common.db import Database, ensure_schema

from converge_metadata.importers.parsers import guess_format
from converge_metadata.importers.samples import sample_sources
from converge_metadata.importers.schemas import ImportFormat, ImportReport
from converge_metadata.importers.service import (
    Progress,
    Source,
    bulk_collection,
    import_files,
    import_sources,
)
from converge_metadata.settings import MetadataSettings, get_settings
from converge_metadata.vocab import load_vocabularies

__all__ = ["run_import", "run_seed"]

_MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


class _ProgressLine:
    """``\\r``-rewritten status on a terminal; nothing when stderr is a file or a pipe."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.started = time.monotonic()

    def __call__(self, report: ImportReport, seen: int) -> None:
        if not self.enabled:
            return
        rate = seen / max(time.monotonic() - self.started, 1e-6)
        self.stream.write(
            f"\r{seen} read, {report.imported} imported, {len(report.rejected)} rejected"
            f" ({rate:,.0f} records/s)"
        )
        self.stream.flush()

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\n")


def _files(paths: list[Path]) -> list[Path]:
    """The files named, and those under the directories named (sorted, hidden ones skipped)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            found.append(path)
        else:
            raise SystemExit(f"converge-metadata: no file or directory {path}")
    return found


def _grouped(paths: list[Path], fmt: str, stack: ExitStack) -> list[tuple[ImportFormat, Source]]:
    """Each file opened, with its format (guessed from its name or first bytes for ``auto``)."""
    out: list[tuple[ImportFormat, Source]] = []
    for path in _files(paths):
        stream = stack.enter_context(path.open("rb"))
        found: ImportFormat | None = None if fmt == "auto" else ImportFormat(fmt)
        if found is None:
            found = guess_format(path, stream.read(4096))
            stream.seek(0)
        if found is None:
            raise SystemExit(f"converge-metadata: cannot tell the format of {path}")
        out.append((found, (str(path), stream)))
    return out


def _merge(total: ImportReport, part: ImportReport) -> None:
    total.imported += part.imported
    total.created += part.created
    total.updated += part.updated
    total.unchanged += part.unchanged
    total.drafts += part.drafts
    total.rejected += part.rejected
    total.warnings += part.warnings
    total.warnings_omitted += part.warnings_omitted


_BULK_PRAGMAS = {"wal_autocheckpoint": 20000}
_WORKER_MIN_BYTES = 1024 * 1024  # below this the worker's start-up costs more than it saves


def _use_worker(choice: bool | None, sources: list[Source]) -> bool:
    """A worker process only for files on disk, when asked or when it pays."""
    paths = [Path(name) for name, _ in sources]
    if not all(p.is_file() for p in paths):
        return False
    if choice is not None:
        return choice
    size = sum(p.stat().st_size for p in paths)
    return (os.cpu_count() or 1) > 1 and size >= _WORKER_MIN_BYTES


async def _run(
    settings: MetadataSettings,
    inputs: list[tuple[ImportFormat, Source]],
    *,
    actor: str,
    status: str,
    batch_size: int,
    progress: Progress | None,
    worker: bool | None = False,
) -> ImportReport:
    await ensure_schema(
        _MIGRATIONS, settings.database_url, auto_migrate=bool(settings.auto_migrate)
    )
    # a bulk load checkpoints the write-ahead log every 80 MB instead of 4 MB: each page the
    # import touches again and again is then copied back far fewer times
    db = Database.from_url(settings.database_url, sqlite_pragmas=_BULK_PRAGMAS)
    vocab = load_vocabularies(settings.vocab_dir, settings.taxonomy_store)
    total = ImportReport()
    try:
        with bulk_collection():
            # consecutive files of one format share batches
            for fmt, group in groupby(inputs, key=lambda pair: pair[0]):
                sources = [source for _, source in group]
                if _use_worker(worker, sources):
                    report = await import_files(
                        db,
                        [(name, Path(name)) for name, _ in sources],
                        fmt=fmt,
                        vocab_dir=settings.vocab_dir,
                        taxonomy_store=settings.taxonomy_store,
                        actor=actor,
                        status=status,
                        batch_size=batch_size,
                        max_depth=settings.import_max_depth,
                        progress=progress,
                    )
                else:
                    report = await import_sources(
                        db,
                        sources,
                        fmt=fmt,
                        vocab=vocab,
                        actor=actor,
                        status=status,
                        batch_size=batch_size,
                        max_depth=settings.import_max_depth,
                        progress=progress,
                    )
                _merge(total, report)
    finally:
        await db.dispose()
    return total


def _summary(report: ImportReport, *, quiet: bool) -> None:
    err = sys.stderr
    warnings = len(report.warnings) + report.warnings_omitted
    err.write(
        f"converge-metadata: {report.imported} imported ({report.created} created,"
        f" {report.updated} updated, {report.unchanged} unchanged; {report.drafts} of them"
        f" drafts), {len(report.rejected)} rejected, {warnings} warnings\n"
    )
    if report.drafts:
        err.write(
            "  drafts are seen by the Node's stewards only: a record published needs"
            ' "status": "published" (or --status published for mapped formats)\n'
        )
    if quiet:
        return
    for rejected in report.rejected:
        reasons = "; ".join(f"{e.pointer or '/'} {e.rule}: {e.detail}" for e in rejected.errors)
        err.write(f"  rejected {rejected.position}: {reasons}\n")
    for warning in report.warnings:
        err.write(f"  warning {warning.position}: {warning.detail}\n")
    if report.warnings_omitted:
        err.write(f"  ... and {report.warnings_omitted} more warnings\n")


def _execute(
    inputs: list[tuple[ImportFormat, Source]],
    args: argparse.Namespace,
    batch_size: int | None,
    worker: bool | None = False,
) -> ImportReport:
    settings = get_settings()
    line = _ProgressLine(sys.stderr)
    report = asyncio.run(
        _run(
            settings,
            inputs,
            actor=args.actor,
            status=args.status,
            batch_size=batch_size or settings.import_batch_size,
            progress=line,
            worker=worker,
        )
    )
    line.done()
    _summary(report, quiet=args.quiet)
    return report


def run_import(args: argparse.Namespace) -> int:
    with ExitStack() as stack:
        inputs = _grouped(args.files, args.format, stack)
        report = _execute(inputs, args, args.batch_size, args.worker)
    return 1 if args.strict and report.rejected else 0


def run_seed(args: argparse.Namespace) -> int:
    """This Node's share of the sample content in ``--sample-data``; running it again only
    finds everything unchanged."""
    node = args.node_id or get_settings().node_id
    nodes = [n.strip() for n in args.nodes.split(",") if n.strip()]
    args.actor, args.status = "seed", "published"
    with ExitStack() as stack:
        inputs = sample_sources(args.sample_data, node=node, nodes=nodes, stack=stack)
        _execute(inputs, args, None)
    return 0

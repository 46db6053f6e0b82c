"""Run an import: parse the input in batches, validate each record, and store each batch with
the records service's idempotent upsert in a transaction of its own.

Parsing and schema validation are CPU work and run in a worker thread, batch by batch, so
the event loop keeps serving while a large file is read; memory holds one batch at a time.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty
from typing import IO, Any, cast

from converge_common.db import Database
from converge_common.errors import FieldError, field_errors_from_pydantic
from converge_common.inputs import printable, text_errors
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from converge_metadata.importers.common import MappingContext, SourceItem
from converge_metadata.importers.depth import DEFAULT_MAX_DEPTH
from converge_metadata.importers.exceptions import (
    ImportTooLarge,
    ImportWorkerFailed,
    ImportWrongMediaType,
)
from converge_metadata.importers.lifeline import end_with_parent
from converge_metadata.importers.parsers import PARSERS
from converge_metadata.importers.schemas import (
    ImportFormat,
    ImportReport,
    ImportWarning,
    RecordError,
    RejectedRecord,
)
from converge_metadata.records.planning import Prepared
from converge_metadata.records.schemas import RecordCreate
from converge_metadata.records.upsert import ImportReport as UpsertReport
from converge_metadata.records.upsert import prepare_batch, store_prepared
from converge_metadata.vocab import Vocabularies, load_vocabularies

__all__ = [
    "MEDIA_TYPES",
    "Progress",
    "Source",
    "bulk_collection",
    "check_media_type",
    "import_files",
    "import_sources",
    "import_upload",
    "mapping_context",
    "spool",
]

logger = logging.getLogger("converge.metadata.import")

Source = tuple[str, IO[bytes]]
Progress = Callable[[ImportReport, int], None]


def mapping_context(
    vocab: Vocabularies, *, status: str = "published", max_depth: int = DEFAULT_MAX_DEPTH
) -> MappingContext:
    """Term lookups that keep only live EDAM terms of the expected branch, and SPDX ids (from
    ids, names, URLs and the common variants)."""

    # a large import names the same few hundred terms over and over
    edam_seen: dict[tuple[str, str], str | None] = {}

    def edam(value: str, branch: str) -> str | None:
        key = (value, branch)
        if key not in edam_seen:
            term = vocab.edam.get(value)
            ok = term is not None and term.branch == branch and not term.obsolete
            edam_seen[key] = term.uri if ok and term is not None else None
        return edam_seen[key]

    def spdx(value: str) -> str | None:
        found = vocab.spdx.normalise(value)
        return found.id if found is not None else None

    return MappingContext(edam=edam, spdx=spdx, status=status, max_depth=max_depth)


@dataclass
class _Batch:
    records: list[RecordCreate] = field(default_factory=list)
    origins: list[tuple[str, str | None]] = field(default_factory=list)
    rejected: list[RejectedRecord] = field(default_factory=list)
    warnings: list[ImportWarning] = field(default_factory=list)
    seen: int = 0
    # after ``_prepare``: the records ready to store, and those that failed their checks
    prepared: list[tuple[int, Prepared]] = field(default_factory=list)
    checked: UpsertReport = field(default_factory=UpsertReport)


def _prepare(batch: _Batch, vocab: Vocabularies) -> _Batch:
    """The batch's CPU work before the database (vocabulary checks, documents, search text);
    the parsed records are dropped, so a batch crosses a process boundary cheaply."""
    batch.prepared, batch.checked = prepare_batch(batch.records, vocab)
    batch.records = []
    return batch


def _rejected(position: str, identifier: str | None, errors: list[FieldError]) -> RejectedRecord:
    # the report may echo a source's identifier or value: never text it cannot encode
    return RejectedRecord(
        position=printable(position),
        identifier=printable(identifier) if identifier is not None else None,
        errors=[
            RecordError(pointer=e["pointer"], rule=e["rule"], detail=printable(e["detail"]))
            for e in errors
        ],
    )


class _Batcher:
    """Cuts the parsed items into validated batches. A record whose id is already in the
    batch starts the next one, so that a source naming one record twice updates it."""

    def __init__(self, items: Iterator[SourceItem], size: int) -> None:
        self._items = items
        self._size = size
        self._held: SourceItem | None = None

    def close(self) -> None:
        """Close the parsers (in the thread that ran them) and drop their state."""
        close = getattr(self._items, "close", None)
        if close is not None:
            close()
        self._items = iter(())
        self._held = None

    def _next(self) -> SourceItem | None:
        if self._held is not None:
            item, self._held = self._held, None
            return item
        return next(self._items, None)

    def __call__(self) -> _Batch:
        batch = _Batch()
        ids: set[str | None] = set()
        while batch.seen < self._size and (item := self._next()) is not None:
            record = _validated(item, batch)
            if record is None:
                continue
            if record.id in ids:
                self._held = item
                batch.seen -= 1
                batch.warnings = batch.warnings[: -len(item.warnings) or None]
                break
            ids.add(record.id)
            batch.records.append(record)
            batch.origins.append((item.position, item.identifier or record.id))
        return batch


def _validated(item: SourceItem, batch: _Batch) -> RecordCreate | None:
    batch.seen += 1
    batch.warnings += [
        ImportWarning(
            position=printable(item.position),
            identifier=printable(item.identifier) if item.identifier is not None else None,
            detail=printable(w),
        )
        for w in item.warnings
    ]
    if item.errors or item.record is None:
        batch.rejected.append(_rejected(item.position, item.identifier, item.errors))
        return None
    # text PostgreSQL or XML cannot hold rejects this record only, not its whole batch
    bad_text = text_errors(item.record)
    if bad_text:
        batch.rejected.append(_rejected(item.position, item.identifier, bad_text))
        return None
    try:
        return RecordCreate.model_validate(item.record)
    except ValidationError as exc:
        errors = field_errors_from_pydantic(exc.errors())
        batch.rejected.append(_rejected(item.position, item.identifier, errors))
        return None


def _items(
    sources: Iterable[Source], fmt: ImportFormat, ctx: MappingContext
) -> Iterator[SourceItem]:
    parser = PARSERS[fmt]
    for name, stream in sources:
        yield from parser(stream, name, ctx)


async def _store(
    db: Database, batch: _Batch, report: ImportReport, *, actor: str, actor_name: str | None
) -> None:
    """One batch, one transaction: stored whole, or (on a database failure) not at all."""
    try:
        async with db.sessionmaker() as session, session.begin():
            checked = batch.checked.model_copy(deep=True)
            result = await store_prepared(
                session, batch.prepared, checked, actor=actor, actor_name=actor_name
            )
    except SQLAlchemyError as exc:
        logger.warning("import batch rolled back: %s", type(exc).__name__, exc_info=True)
        detail = f"the batch's database write failed ({type(exc).__name__}); none of it was stored"
        for position, identifier in batch.origins:
            report.rejected.append(
                _rejected(position, identifier, [FieldError("", "batch_failed", detail)])
            )
        return
    failed = {f.index for f in result.failed}
    for failure in result.failed:
        position, identifier = batch.origins[failure.index]
        errors = [FieldError(e["pointer"], e["rule"], e["detail"]) for e in failure.errors]
        report.rejected.append(_rejected(position, identifier or failure.id, errors))
    report.created += result.created
    report.updated += result.updated
    report.unchanged += result.unchanged
    report.imported += len(batch.origins) - len(failed)
    report.drafts += sum(
        1
        for index, prepared in batch.prepared
        if index not in failed and prepared.status == "draft"
    )


async def _run_batches(
    db: Database,
    next_batch: Callable[[], Awaitable[_Batch]],
    report: ImportReport,
    progress: Progress | None,
    *,
    actor: str,
    max_warnings: int,
    actor_name: str | None = None,
) -> None:
    seen = 0
    # the next batch is parsed and prepared while this one is written
    upcoming = asyncio.ensure_future(next_batch())
    try:
        while (batch := await upcoming).seen:
            upcoming = asyncio.ensure_future(next_batch())
            seen += batch.seen
            report.rejected += batch.rejected
            _add_warnings(report, batch.warnings, max_warnings)
            if batch.origins:
                await _store(db, batch, report, actor=actor, actor_name=actor_name)
            if progress is not None:
                progress(report, seen)
    finally:
        # a parser cannot be interrupted; let it finish its batch first
        await asyncio.gather(upcoming, return_exceptions=True)


def _add_warnings(report: ImportReport, warnings: list[ImportWarning], cap: int) -> None:
    room = max(0, cap - len(report.warnings))
    report.warnings += warnings[:room]
    report.warnings_omitted += max(0, len(warnings) - room)


async def import_sources(
    db: Database,
    sources: Iterable[Source],
    *,
    fmt: ImportFormat,
    vocab: Vocabularies,
    actor: str,
    status: str = "published",
    batch_size: int = 500,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_warnings: int = 1000,
    progress: Progress | None = None,
    actor_name: str | None = None,
) -> ImportReport:
    """Import every record of ``sources`` (name, binary stream) read as ``fmt``; ``progress``
    is called after each batch is stored."""
    report = ImportReport()
    ctx = mapping_context(vocab, status=status, max_depth=max_depth)
    batches = _Batcher(_items(sources, fmt, ctx), batch_size)
    # one thread parses the whole input: lxml and the C JSON parser must create, use and free
    # their parser state in the same thread
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-parse") as parse_thread:

        async def next_batch() -> _Batch:
            return await loop.run_in_executor(parse_thread, lambda: _prepare(batches(), vocab))

        try:
            await _run_batches(
                db,
                next_batch,
                report,
                progress,
                actor=actor,
                max_warnings=max_warnings,
                actor_name=actor_name,
            )
        finally:
            await loop.run_in_executor(parse_thread, batches.close)
    return report


async def import_files(
    db: Database,
    files: Sequence[tuple[str, Path]],
    *,
    fmt: ImportFormat,
    vocab_dir: Path,
    taxonomy_store: Path | None = None,
    actor: str,
    status: str = "published",
    batch_size: int = 500,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_warnings: int = 1000,
    progress: Progress | None = None,
) -> ImportReport:
    """Import files (display name, path) in two processes: a worker process parses, checks
    and prepares batches (the CPU half of an import) while this one stores the previous
    batch, so the two halves use two cores. The same report as :func:`import_sources`."""
    report = ImportReport()
    context = multiprocessing.get_context("spawn")
    queue: Any = context.Queue(maxsize=_QUEUED_BATCHES)
    worker = context.Process(
        target=_produce,
        args=(
            list(files),
            fmt,
            status,
            batch_size,
            max_depth,
            (vocab_dir, taxonomy_store),
            queue,
            os.getpid(),
        ),
        name="converge-import-prepare",
        daemon=True,
    )
    worker.start()

    def receive() -> _Batch:
        while True:
            try:
                item = queue.get(timeout=1.0)
            except Empty:
                if not worker.is_alive():
                    raise ImportWorkerFailed(
                        f"the import worker stopped (exit code {worker.exitcode})"
                    ) from None
                continue
            if isinstance(item, _WorkerError):
                raise ImportWorkerFailed(f"the import worker failed: {item.message}")
            return cast(_Batch, item)

    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-receive") as receiver:

        async def next_batch() -> _Batch:
            return await loop.run_in_executor(receiver, receive)

        try:
            await _run_batches(
                db, next_batch, report, progress, actor=actor, max_warnings=max_warnings
            )
        finally:
            if worker.is_alive():
                worker.terminate()
            worker.join(timeout=10)
            queue.close()
    return report


@contextmanager
def bulk_collection() -> Iterator[None]:
    """Garbage collection tuned for a bulk import: what exists now (modules, vocabularies)
    is frozen out of the collector's scans, and the youngest generation is collected every
    50,000 allocations instead of 700. A batch job makes millions of short-lived objects and
    few cycles; the default scans the large long-lived heap again and again."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


_QUEUED_BATCHES = 4  # prepared batches waiting to be stored: memory stays a few batches


@dataclass(frozen=True)
class _WorkerError:
    message: str


def _produce(
    files: list[tuple[str, Path]],
    fmt: ImportFormat,
    status: str,
    batch_size: int,
    max_depth: int,
    vocab_paths: tuple[Path, Path | None],
    queue: Any,
    parent_pid: int,
) -> None:
    """The worker process: parse, check and prepare every batch, then an empty batch. It ends
    when the command that started it dies, even by SIGKILL."""
    end_with_parent(parent_pid)
    try:
        vocab = load_vocabularies(*vocab_paths)
        with ExitStack() as stack:
            stack.enter_context(bulk_collection())
            sources = [(name, stack.enter_context(path.open("rb"))) for name, path in files]
            ctx = mapping_context(vocab, status=status, max_depth=max_depth)
            batches = _Batcher(_items(sources, fmt, ctx), batch_size)
            while True:
                batch = _prepare(batches(), vocab)
                queue.put(batch)
                if not batch.seen:
                    return
    except Exception as exc:  # reported to the parent, which raises it
        queue.put(_WorkerError(f"{type(exc).__name__}: {exc}"))


# media types each format is accepted as (parameters such as charset are ignored)
MEDIA_TYPES: dict[ImportFormat, frozenset[str]] = {
    ImportFormat.jsonl: frozenset(
        {"application/x-ndjson", "application/jsonl", "application/x-jsonlines", "text/plain"}
    ),
    ImportFormat.biotools: frozenset({"application/json"}),
    ImportFormat.bioschemas: frozenset({"application/ld+json", "application/json"}),
    ImportFormat.datacite: frozenset({"application/xml", "text/xml"}),
}
_SPOOL_IN_MEMORY = 8 * 1024 * 1024


def check_media_type(fmt: ImportFormat, content_type: str | None) -> None:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media not in MEDIA_TYPES[fmt]:
        allowed = ", ".join(sorted(MEDIA_TYPES[fmt]))
        raise ImportWrongMediaType(
            f"format {fmt.value} is sent as {allowed}, not {media or 'no Content-Type'}"
        )


async def spool(chunks: AsyncIterator[bytes], target: IO[bytes], max_bytes: int) -> None:
    """Copy an upload into ``target`` (rewound after), refusing more than ``max_bytes``."""
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > max_bytes:
            raise ImportTooLarge(f"the import body exceeds {max_bytes} bytes")
        target.write(chunk)
    target.seek(0)


async def import_upload(
    db: Database,
    chunks: AsyncIterator[bytes],
    *,
    fmt: ImportFormat,
    content_type: str | None,
    content_length: int | None,
    max_bytes: int,
    **options: Any,
) -> ImportReport:
    """An import sent as a request body: checked, spooled to a temporary file (in memory up to
    a few MB) so that the parsers can stream it, then imported like a file."""
    check_media_type(fmt, content_type)
    if content_length is not None and content_length > max_bytes:
        raise ImportTooLarge(f"the import body exceeds {max_bytes} bytes")
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as body:
        await spool(chunks, body, max_bytes)
        return await import_sources(db, [("body", body)], fmt=fmt, **options)

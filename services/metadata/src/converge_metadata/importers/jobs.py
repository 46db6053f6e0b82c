"""Imports as background jobs: an upload is stored, answered at once (202), and imported by
the service while anyone may watch its progress (``import_jobs``).

One runner per process, built in the lifespan. A job is an asyncio task of that process; it
writes its progress after every stored batch and touches ``heartbeat_at`` every few seconds.
When the process ends (a restart, a crash) its jobs stop touching their rows: a job not heard
of for ``import_job_stale_s`` is marked failed, when the service starts and whenever the job
is read, so no job stays "running" forever. At most ``import_jobs_max_running`` jobs are live
on the Node at once (counted in the database, so across the service's processes too; two
uploads arriving at the same instant in two processes may both start).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Annotated, Any

from converge_common.db import Database
from converge_common.errors import FieldError
from converge_common.inputs import printable
from fastapi import Depends, FastAPI, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from converge_metadata.importers import repository, service
from converge_metadata.importers.exceptions import (
    ImportBusy,
    ImportFormatUnknown,
    ImportJobNotFinished,
    ImportJobNotFound,
    ImportTooLarge,
)
from converge_metadata.importers.parsers import guess_format
from converge_metadata.importers.reports import report_csv
from converge_metadata.importers.schemas import ImportFormat, ImportJobRead, ImportReport
from converge_metadata.models import ImportJob
from converge_metadata.settings import MetadataSettings
from converge_metadata.vocab import Vocabularies

__all__ = [
    "ImportJobRunner",
    "ImportJobsDep",
    "JobRequest",
    "clean_file_name",
    "csv_download",
    "get_job",
    "import_jobs_lifespan",
    "job_read",
    "recent_jobs",
]

logger = logging.getLogger("converge.metadata.import")

INTERRUPTED = "the service stopped while this import ran (a restart?); import the file again"
_UNSAFE_NAME = re.compile(r"[^\w.\- ()+]+")


def _now() -> datetime:
    return datetime.now(UTC)


def clean_file_name(name: str | None) -> str:
    """A file's base name as a browser or client sent it, fit to show and to name positions."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE_NAME.sub("_", printable(base)).strip(" .")[:100]
    return cleaned or "upload"


@dataclass(frozen=True)
class JobRequest:
    """What an import job is asked to do; ``fmt`` ``None``: tell it from the file."""

    fmt: ImportFormat | None
    record_status: str
    file_name: str
    actor: str
    actor_name: str | None = None


def job_read(job: ImportJob, *, with_report: bool = True) -> ImportJobRead:
    return ImportJobRead.model_validate(
        {
            "id": job.id,
            "status": job.status,
            "format": job.format,
            "record_status": job.record_status,
            "file_name": job.file_name,
            "byte_size": job.byte_size,
            "bytes_read": job.bytes_read,
            "records_seen": job.records_seen,
            "created": job.created,
            "updated": job.updated,
            "unchanged": job.unchanged,
            "rejected": job.rejected,
            "actor": job.actor,
            "actor_name": job.actor_name,
            "error": job.error,
            "created_at": job.created_at,
            "started_at": job.started_at,
            "finished_at": job.finished_at,
            "report": job.report if with_report else None,
        }
    )


class _Progress:
    """The latest counts of a running job, written to its row by one task: after each batch
    (woken) and at least every heartbeat."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self.values: dict[str, Any] = {}
        self.wake = asyncio.Event()
        # the import's own report, as far as it got (kept when the job fails later)
        self.report: ImportReport | None = None
        self.stopped = False

    def stop(self) -> None:
        """End the writer at its next wake-up (a flag, not a cancellation: a task cancelled
        while ``wait_for`` completes can lose the cancellation on Python 3.11)."""
        self.stopped = True
        self.wake.set()

    def __call__(self, report: ImportReport, seen: int) -> None:
        self.report = report
        self.values = {
            "records_seen": seen,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected": len(report.rejected),
            # the parser thread reads on; a buffered file's position is safe to ask for
            "bytes_read": self._stream.tell(),
        }
        self.wake.set()


class ImportJobRunner:
    """Starts, runs and watches the import jobs of one process."""

    def __init__(self, db: Database, settings: MetadataSettings, vocab: Vocabularies) -> None:
        self._db = db
        self._settings = settings
        self._vocab = vocab
        self.directory = settings.data_dir / "imports"
        # jobs of this process from the upload's first byte to their end
        self._reserved: set[str] = set()
        self._tasks: dict[str, asyncio.Task[None]] = {}

    @property
    def _stale(self) -> timedelta:
        return timedelta(seconds=self._settings.import_job_stale_s)

    async def start(self) -> None:
        """Fail the jobs of processes that ended; remove uploads no live job holds."""
        self.directory.mkdir(parents=True, exist_ok=True)
        now = _now()
        async with self._db.sessionmaker() as session, session.begin():
            failed = await repository.fail_stale_jobs(
                session, heartbeat_before=now - self._stale, now=now, error=INTERRUPTED
            )
            live = await repository.live_job_ids(session, heartbeat_after=now - self._stale)
        if failed:
            logger.warning("%d interrupted import job(s) marked failed", failed)
        for path in self.directory.glob("*.upload"):
            if path.stem not in live:
                path.unlink(missing_ok=True)

    async def wait(self, job_id: str) -> None:
        """Until this process's job ``job_id`` has ended (at once when it is not running here):
        for callers that must not go on before it, such as a command or a test."""
        task = self._tasks.get(job_id)
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)

    async def close(self) -> None:
        """Stop this process's jobs; each marks itself failed."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _refuse_when_busy(self) -> None:
        async with self._db.sessionmaker() as session:
            live = await repository.live_job_ids(session, heartbeat_after=_now() - self._stale)
        busy = live | self._reserved
        if len(busy) >= self._settings.import_jobs_max_running:
            running = sorted(busy)[0]
            raise ImportBusy(
                "An import is running on this Node; start this one when it has ended",
                job=running,
            )

    async def submit(
        self,
        chunks: AsyncIterator[bytes],
        request: JobRequest,
        *,
        content_length: int | None = None,
    ) -> ImportJob:
        """Store the upload and start importing it; the job as it is stored (``queued``)."""
        limit = self._settings.import_max_bytes
        if content_length is not None and content_length > limit:
            raise ImportTooLarge(f"the import body exceeds {limit} bytes")
        await self._refuse_when_busy()
        job_id = secrets.token_hex(16)
        self._reserved.add(job_id)
        path = self.directory / f"{job_id}.upload"
        try:
            with path.open("wb") as target:
                await service.spool(chunks, target, limit)
            fmt = request.fmt or self._guess(path, request.file_name)
            job = await self._insert(job_id, fmt, request, byte_size=path.stat().st_size)
        except BaseException:
            path.unlink(missing_ok=True)
            self._reserved.discard(job_id)
            raise
        task = asyncio.create_task(self._run(job_id, path, fmt, request), name=f"import-{job_id}")
        self._tasks[job_id] = task
        return job

    def _guess(self, path: Path, file_name: str) -> ImportFormat:
        with path.open("rb") as stream:
            head = stream.read(4096)
        found = guess_format(Path(file_name), head)
        if found is None:
            raise ImportFormatUnknown(
                "Choose the file's format: its name and first bytes do not tell it",
                errors=[FieldError("/format", "required", "name the format of this file")],
            )
        return found

    async def _insert(
        self, job_id: str, fmt: ImportFormat, request: JobRequest, *, byte_size: int
    ) -> ImportJob:
        now = _now()
        job = ImportJob(
            id=job_id,
            status="queued",
            format=fmt.value,
            record_status=request.record_status,
            file_name=request.file_name,
            byte_size=byte_size,
            bytes_read=0,
            records_seen=0,
            created=0,
            updated=0,
            unchanged=0,
            rejected=0,
            actor=request.actor[:255],
            actor_name=request.actor_name[:255] if request.actor_name else None,
            error=None,
            report=None,
            created_at=now,
            heartbeat_at=now,
        )
        async with self._db.sessionmaker() as session, session.begin():
            session.add(job)
        return job

    async def _update(self, job_id: str, values: dict[str, Any]) -> None:
        async with self._db.sessionmaker() as session, session.begin():
            await repository.update_job(session, job_id, values)

    async def _run(self, job_id: str, path: Path, fmt: ImportFormat, request: JobRequest) -> None:
        settings = self._settings
        writer: asyncio.Task[None] | None = None
        progress: _Progress | None = None
        try:
            now = _now()
            await self._update(
                job_id, {"status": "running", "started_at": now, "heartbeat_at": now}
            )
            with path.open("rb") as stream:
                progress = _Progress(stream)
                writer = asyncio.create_task(self._write_progress(job_id, progress))
                report = await service.import_sources(
                    self._db,
                    [(request.file_name, stream)],
                    fmt=fmt,
                    vocab=self._vocab,
                    actor=request.actor,
                    actor_name=request.actor_name,
                    status=request.record_status,
                    batch_size=settings.import_batch_size,
                    max_depth=settings.import_max_depth,
                    progress=progress,
                )
                size = stream.seek(0, 2)
            progress.stop()
            await asyncio.gather(writer, return_exceptions=True)
            await self._finish(job_id, report, bytes_read=size)
        except asyncio.CancelledError:
            await self._fail(job_id, INTERRUPTED, progress)
            raise
        except Exception as exc:  # a job's fault ends the job, never the service
            logger.exception("import job %s failed", job_id)
            await self._fail(job_id, f"the import stopped: {type(exc).__name__}", progress)
        finally:
            if progress is not None:
                progress.stop()
            if writer is not None:
                writer.cancel()
            await asyncio.to_thread(path.unlink, missing_ok=True)
            self._reserved.discard(job_id)
            self._tasks.pop(job_id, None)

    async def _write_progress(self, job_id: str, progress: _Progress) -> None:
        interval = self._settings.import_job_heartbeat_s
        while not progress.stopped:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(interval):
                    await progress.wake.wait()
            progress.wake.clear()
            if progress.stopped:
                return
            try:
                await self._update(job_id, {**progress.values, "heartbeat_at": _now()})
            except Exception:  # the next beat tries again; the job itself goes on
                logger.warning("import job %s: progress not written", job_id, exc_info=True)

    async def _finish(self, job_id: str, report: ImportReport, *, bytes_read: int) -> None:
        now = _now()
        values = {
            "status": "succeeded",
            "bytes_read": bytes_read,
            "records_seen": report.imported + len(report.rejected),
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected": len(report.rejected),
            "report": report.model_dump(mode="json"),
            "finished_at": now,
            "heartbeat_at": now,
        }
        await self._update(job_id, values)

    async def _fail(self, job_id: str, error: str, progress: _Progress | None) -> None:
        """Failed, with the report of the batches stored before (they stay stored)."""
        now = _now()
        values: dict[str, Any] = {
            "status": "failed",
            "error": error[:500],
            "finished_at": now,
            "heartbeat_at": now,
        }
        if progress is not None and progress.report is not None:
            values.update(progress.values)
            values["report"] = progress.report.model_dump(mode="json")
        try:
            await asyncio.shield(self._update(job_id, values))
        except Exception:  # the sweep marks it failed once its heartbeat is stale
            logger.warning("import job %s: could not mark it failed", job_id, exc_info=True)


async def get_job(session: AsyncSession, job_id: str, *, stale_s: float) -> ImportJob:
    """A job; one whose process stopped touching it is marked failed first (in ``session``,
    committed by its unit of work)."""
    job = await repository.get_job(session, job_id)
    if job is None:
        raise ImportJobNotFound(f"No import job {job_id!r}")
    now = _now()
    if job.status in repository.LIVE and job.heartbeat_at <= now - timedelta(seconds=stale_s):
        await repository.update_job(
            session, job.id, {"status": "failed", "error": INTERRUPTED, "finished_at": now}
        )
        await session.refresh(job)
    return job


async def recent_jobs(session: AsyncSession, *, limit: int, stale_s: float) -> list[ImportJob]:
    """The newest jobs, those whose process stopped marked failed first."""
    now = _now()
    await repository.fail_stale_jobs(
        session, heartbeat_before=now - timedelta(seconds=stale_s), now=now, error=INTERRUPTED
    )
    return await repository.recent_jobs(session, limit=limit)


def csv_download(job: ImportJob) -> Response:
    """An ended job's report as a CSV attachment."""
    if job.report is None:
        detail = (
            "The import has not ended yet"
            if job.status in repository.LIVE
            else ("The import stopped before it stored anything; there is no report")
        )
        raise ImportJobNotFinished(detail)
    report = ImportReport.model_validate(job.report)
    return Response(
        report_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="import-{job.id}.csv"'},
    )


@asynccontextmanager
async def import_jobs_lifespan(app: FastAPI) -> AsyncIterator[None]:
    runner = ImportJobRunner(app.state.db, app.state.settings, app.state.vocab)
    await runner.start()
    app.state.import_jobs = runner
    try:
        yield
    finally:
        await runner.close()


def _runner(request: Request) -> ImportJobRunner:
    runner: ImportJobRunner = request.app.state.import_jobs
    return runner


ImportJobsDep = Annotated[ImportJobRunner, Depends(_runner)]

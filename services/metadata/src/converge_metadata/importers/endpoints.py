"""``POST /api/v1/import``: a file in one of the import formats as the request body, imported
while the caller waits; ``/api/v1/imports``: the same as a background job with progress."""

from __future__ import annotations

from typing import Annotated

from converge_common.app import SessionDep
from converge_common.auth import RequireNodeSteward
from converge_common.inputs import INT32_MAX
from converge_common.openapi import problem_responses
from converge_common.pagination import Page, PageRequest, SortField, keyset_page
from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import PlainTextResponse

from converge_metadata.dependencies import VocabDep, actor_name
from converge_metadata.importers import repository, service
from converge_metadata.importers.jobs import (
    ImportJobsDep,
    JobRequest,
    clean_file_name,
    csv_download,
    get_job,
    job_read,
)
from converge_metadata.importers.schemas import ImportFormat, ImportJobRead, ImportReport
from converge_metadata.models import ImportJob
from converge_metadata.records.schemas import RecordStatus
from converge_metadata.settings import MetadataSettings

__all__ = ["router"]

router = APIRouter(tags=["import"])


@router.post(
    "/import",
    responses={
        413: {"description": "The body is larger than the import size cap"},
        415: {"description": "The Content-Type does not fit the format"},
    },
)
async def import_records(
    request: Request,
    principal: RequireNodeSteward,
    vocab: VocabDep,
    fmt: Annotated[ImportFormat, Query(alias="format", description="The body's format")],
    status: Annotated[
        RecordStatus, Query(description="Status of records whose source has none")
    ] = "published",
) -> ImportReport:
    """Create or update every record in the body, by identifier: importing the same file again
    changes nothing. Each batch of records is stored in a transaction of its own; rejected
    records are listed with their position and why."""
    settings: MetadataSettings = request.app.state.settings
    length = request.headers.get("content-length")
    return await service.import_upload(
        request.app.state.db,
        request.stream(),
        fmt=fmt,
        content_type=request.headers.get("content-type"),
        content_length=int(length) if length and length.isdigit() else None,
        max_bytes=settings.import_max_bytes,
        vocab=vocab,
        actor=principal.client_id or principal.subject,
        status=status,
        batch_size=settings.import_batch_size,
        max_depth=settings.import_max_depth,
    )


# --- imports as background jobs ----------------------------------------------------------

JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The job's id")]
_JOB_SORTS = [SortField("created_at", ImportJob.created_at)]


@router.post(
    "/imports",
    status_code=202,
    response_model_exclude_none=True,
    responses={
        **problem_responses(409, _409="As many imports run on this Node as may at once"),
        413: {"description": "The body is larger than the import size cap"},
        415: {"description": "The Content-Type does not fit the format"},
    },
)
async def start_import(
    request: Request,
    response: Response,
    principal: RequireNodeSteward,
    runner: ImportJobsDep,
    fmt: Annotated[ImportFormat, Query(alias="format", description="The body's format")],
    status: Annotated[
        RecordStatus, Query(description="Status of records whose source has none")
    ] = "published",
    name: Annotated[
        str | None, Query(max_length=255, description="A file name to show and to name positions")
    ] = None,
) -> ImportJobRead:
    """Start importing the body in the background (202): ``Location`` names the job, which
    ``GET`` shows with its progress and, once it has ended, its report. The same rules, caps
    and report as ``POST /api/v1/import``."""
    service.check_media_type(fmt, request.headers.get("content-type"))
    length = request.headers.get("content-length")
    job = await runner.submit(
        request.stream(),
        JobRequest(
            fmt=fmt,
            record_status=status,
            file_name=clean_file_name(name or "body"),
            actor=principal.client_id or principal.subject,
            actor_name=actor_name(principal),
        ),
        content_length=int(length) if length and length.isdigit() else None,
    )
    response.headers["Location"] = str(request.url_for("read_import", job_id=job.id))
    return job_read(job)


@router.get("/imports", response_model_exclude_none=True)
async def list_imports(
    request: Request,
    session: SessionDep,
    _: RequireNodeSteward,
    limit: Annotated[int | None, Query(ge=1, le=INT32_MAX)] = None,
    cursor: str | None = None,
) -> Page[ImportJobRead]:
    """The Node's import jobs, newest first, without their reports."""
    settings: MetadataSettings = request.app.state.settings
    page = PageRequest.parse(
        limit=limit,
        cursor=cursor,
        sort=None,
        allowed=[s.name for s in _JOB_SORTS],
        default_sort="-created_at",
        default_limit=settings.page_size_default,
        max_limit=settings.page_size_max,
    )
    rows, next_cursor = await keyset_page(
        session,
        repository.jobs_query(),
        request=page,
        sort_fields=_JOB_SORTS,
        tiebreak=ImportJob.id,
        codec=request.app.state.keyset_tokens,
    )
    items = [job_read(job, with_report=False) for job in rows]
    return Page[ImportJobRead](items=items, next_cursor=next_cursor, limit=page.limit)


@router.get("/imports/{job_id}", response_model_exclude_none=True)
async def read_import(
    job_id: JobId, request: Request, session: SessionDep, _: RequireNodeSteward
) -> ImportJobRead:
    """One import job: its progress while it runs, its report once it has ended. A job whose
    process ended while it ran (a restart) is ``failed``."""
    settings: MetadataSettings = request.app.state.settings
    job = await get_job(session, job_id, stale_s=settings.import_job_stale_s)
    return job_read(job)


@router.get(
    "/imports/{job_id}/report.csv",
    response_class=PlainTextResponse,
    responses={
        200: {"content": {"text/csv": {}}, "description": "The report as CSV"},
        **problem_responses(409, _409="The job has not ended yet"),
    },
)
async def import_report_csv(
    job_id: JobId, request: Request, session: SessionDep, _: RequireNodeSteward
) -> Response:
    """An ended job's report as CSV: the counts, then one row per reason a record was
    rejected and one per warning (columns kind, position, identifier, pointer, rule, detail)."""
    settings: MetadataSettings = request.app.state.settings
    job = await get_job(session, job_id, stale_s=settings.import_job_stale_s)
    return csv_download(job)

"""Importing a file in the workspace: upload it, watch the job, read and download the report.

The job is the API's (``importers.jobs``): the page and ``/api/v1/imports`` share one
implementation. The progress page works without JavaScript (a reload link); a small script
(``static/import_progress.js``, no inline script under the strict CSP) polls the job's JSON
status and reloads the page when the report is ready.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

import orjson
from converge_common.app import SessionDep
from converge_common.errors import FieldError, ProblemError
from converge_common.workspace import SignedInSteward, StewardForm, WorkspaceUser, render_page
from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

# what request.form() holds for a file (FastAPI's UploadFile is a subclass of it)
from starlette.datastructures import UploadFile

from converge_metadata.importers.exceptions import ImportBusy, ImportJobNotFinished
from converge_metadata.importers.jobs import (
    ImportJobsDep,
    JobRequest,
    clean_file_name,
    csv_download,
    get_job,
    job_read,
    recent_jobs,
)
from converge_metadata.importers.schemas import ImportFormat
from converge_metadata.settings import MetadataSettings

__all__ = ["UPLOAD_PATH", "router"]

router = APIRouter(
    prefix="/workspace/imports", include_in_schema=False, default_response_class=HTMLResponse
)

UPLOAD_PATH = "/workspace/imports"
JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
FORMATS = [f.value for f in ImportFormat]
STATUSES = ("published", "draft")
# rejected records shown on the page; the downloads hold every one
SHOWN_REJECTED = 500
RECENT = 10
_CHUNK = 64 * 1024


def _settings(request: Request) -> MetadataSettings:
    settings: MetadataSettings = request.app.state.settings
    return settings


async def _form_page(
    request: Request,
    user: WorkspaceUser,
    session: SessionDep,
    *,
    chosen: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    problem: ProblemError | None = None,
    status: int = 200,
) -> HTMLResponse:
    settings = _settings(request)
    jobs = await recent_jobs(session, limit=RECENT, stale_s=settings.import_job_stale_s)
    context: dict[str, Any] = {
        "formats": FORMATS,
        "statuses": STATUSES,
        "chosen": chosen or {"format": "", "status": "published"},
        "errors": errors or [],
        "problem": problem,
        "busy_job": problem.extensions.get("job") if isinstance(problem, ImportBusy) else None,
        "jobs": [job_read(job, with_report=False) for job in jobs],
        "max_mb": settings.import_max_bytes // (1024 * 1024),
    }
    return render_page(request, user, "imports.html", context, status=status)


@router.get("")
async def imports_page(
    request: Request, user: SignedInSteward, session: SessionDep
) -> HTMLResponse:
    return await _form_page(request, user, session)


async def _chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await upload.read(_CHUNK):
        yield chunk


@router.post("")
async def start_import(
    request: Request,
    user: StewardForm,
    session: SessionDep,
    runner: ImportJobsDep,
) -> Response:
    form = await request.form()
    upload = form.get("file")
    fmt = str(form.get("format") or "")
    status = str(form.get("status") or "")
    chosen = {"format": fmt, "status": status}
    errors: list[FieldError] = []
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors.append(FieldError("/file", "required", "Choose a file to import"))
    if fmt and fmt not in FORMATS:
        errors.append(FieldError("/format", "enum", "Choose one of the formats listed"))
    if status not in STATUSES:
        errors.append(FieldError("/status", "enum", "Choose published or draft"))
    if errors or not isinstance(upload, UploadFile):
        return await _form_page(request, user, session, chosen=chosen, errors=errors, status=422)
    try:
        job = await runner.submit(
            _chunks(upload),
            JobRequest(
                fmt=ImportFormat(fmt) if fmt else None,
                record_status=status,
                file_name=clean_file_name(upload.filename),
                actor=user.subject,
                actor_name=user.name,
            ),
        )
    except ProblemError as problem:
        return await _form_page(
            request,
            user,
            session,
            chosen=chosen,
            errors=list(problem.errors),
            problem=problem,
            status=problem.status,
        )
    return RedirectResponse(f"{UPLOAD_PATH}/{job.id}", status_code=303)


@router.get("/{job_id}")
async def job_page(
    job_id: JobId, request: Request, user: SignedInSteward, session: SessionDep
) -> HTMLResponse:
    try:
        job = await get_job(session, job_id, stale_s=_settings(request).import_job_stale_s)
    except ProblemError as problem:
        return render_page(
            request, user, "import_missing.html", {"problem": problem}, status=problem.status
        )
    read = job_read(job)
    report = read.report
    context = {
        "job": read,
        "report": report,
        "rejected": report.rejected[:SHOWN_REJECTED] if report else [],
        "rejected_more": max(0, len(report.rejected) - SHOWN_REJECTED) if report else 0,
    }
    return render_page(request, user, "import_job.html", context)


@router.get("/{job_id}/status", response_class=JSONResponse)
async def job_status(
    job_id: JobId, request: Request, _: SignedInSteward, session: SessionDep
) -> JSONResponse:
    """What the progress script reads: the job without its report, and how far it got."""
    job = await get_job(session, job_id, stale_s=_settings(request).import_job_stale_s)
    read = job_read(job, with_report=False)
    body = read.model_dump(mode="json", exclude={"report"})
    body.update(percent=read.percent, finished=read.finished)
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.get("/{job_id}/report.json")
async def report_json(
    job_id: JobId, request: Request, _: SignedInSteward, session: SessionDep
) -> Response:
    job = await get_job(session, job_id, stale_s=_settings(request).import_job_stale_s)
    if job.report is None:
        raise ImportJobNotFinished("The import has no report yet")
    return Response(
        orjson.dumps(job.report, option=orjson.OPT_INDENT_2),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="import-{job.id}.json"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/{job_id}/report.csv")
async def report_csv(
    job_id: JobId, request: Request, _: SignedInSteward, session: SessionDep
) -> Response:
    job = await get_job(session, job_id, stale_s=_settings(request).import_job_stale_s)
    response = csv_download(job)
    response.headers["Cache-Control"] = "no-store"
    return response

"""``/api/v1/reports`` (COUNTER SUSHI style: the DSR in JSON or TSV) and the admin upload of
log files ``/api/v1/usage/loads``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Literal

from converge_common.app import SessionDep
from converge_common.auth import RequireNodeAdmin
from converge_common.errors import FieldError, ProblemError
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response, StreamingResponse

from converge_impact.settings import ImpactSettings
from converge_impact.usage import reports, service
from converge_impact.usage.loading import load_stream
from converge_impact.usage.schemas import LoadReportRead, ReportInfo

__all__ = ["router"]

router = APIRouter(tags=["usage (COUNTER)"])

TSV = "text/tab-separated-values"


class PayloadTooLarge(ProblemError):
    status, title, slug = 413, "Content Too Large", "content-too-large"


@router.get("/reports")
async def list_reports(session: SessionDep) -> list[ReportInfo]:
    """The COUNTER reports this Node serves (SUSHI ``/reports``)."""
    first, last = await service.available_months(session)
    return [
        ReportInfo(
            Report_Name="Dataset Master Report",
            Report_ID="DSR",
            Release="RD1",
            Report_Description="Usage of the Node's datasets by month and access method: total "
            "and unique dataset investigations and requests (COUNTER Code of Practice for "
            "Research Data, release 1)",
            Path="/api/v1/reports/dsr",
            First_Month_Available=first,
            Last_Month_Available=last,
        )
    ]


def _wants_tsv(format: str | None, accept: str | None) -> bool:
    if format is not None:
        return format == "tsv"
    return bool(accept) and TSV in (accept or "") and "application/json" not in (accept or "")


@router.get(
    "/reports/dsr",
    responses={200: {"content": {"application/json": {}, TSV: {}}, "description": "The DSR"}},
)
async def get_dsr(
    request: Request,
    session: SessionDep,
    begin_date: Annotated[str, Query(description="YYYY-MM (or YYYY-MM-DD)", max_length=10)],
    end_date: Annotated[str, Query(description="YYYY-MM (or YYYY-MM-DD)", max_length=10)],
    format: Annotated[Literal["json", "tsv"] | None, Query()] = None,
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    """Dataset Master Report (DSR, release RD1) for whole months from ``begin_date`` to
    ``end_date``: COUNTER SUSHI JSON, or TSV with ``format=tsv`` or
    ``Accept: text/tab-separated-values``."""
    settings: ImpactSettings = request.app.state.settings
    rows, period = await service.dataset_master_report(
        session,
        begin_date=begin_date,
        end_date=end_date,
        node_id=settings.node_id,
        platform=settings.usage_platform or settings.node_name,
        now=datetime.now(UTC),
    )
    # streamed item by item: a year's report for 100k datasets is over 150 MB
    if _wants_tsv(format, accept):
        return StreamingResponse(
            reports.dsr_tsv_chunks(rows, period),
            media_type=f"{TSV}; charset=utf-8",
            headers={"Vary": "Accept"},
        )
    return StreamingResponse(
        reports.dsr_json_chunks(rows, period),
        media_type="application/json",
        headers={"Vary": "Accept"},
    )


async def _capped(request: Request, limit: int) -> AsyncIterator[bytes]:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(
            f"The file is larger than {limit} bytes",
            errors=[FieldError("/", "max_bytes", f"at most {limit} bytes")],
        )
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(
                f"The file is larger than {limit} bytes",
                errors=[FieldError("/", "max_bytes", f"at most {limit} bytes")],
            )
        yield chunk


@router.post("/usage/loads", status_code=200)
async def load_usage_file(
    request: Request,
    session: SessionDep,
    principal: RequireNodeAdmin,
    format: Annotated[Literal["clf", "counter"], Query(description="clf or counter")],
) -> LoadReportRead:
    """Load a log file (the request body): a web server's Combined Log Format (``clf``) or the
    COUNTER reference processor's tab-separated log (``counter``). Needs the Node admin role.
    Lines are bounded; malformed ones are reported and skipped; the months the file touches
    are recounted in the same transaction."""
    settings: ImpactSettings = request.app.state.settings
    report = await load_stream(
        session, _capped(request, settings.usage_upload_max_bytes), format=format
    )
    return report

"""``/api/v1/values/bulk`` (CSV upload) and ``/api/v1/export`` (JSON and CSV)."""

from __future__ import annotations

from typing import Annotated, Literal

from converge_common.app import SessionDep
from converge_common.errors import FieldError, InvalidInput, UnsupportedMediaType
from converge_common.openapi import problem_responses
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from converge_impact.bulk import service
from converge_impact.bulk.schemas import BulkMode, BulkReport, ExportDocument
from converge_impact.dependencies import NodeDep, SettingsDep, StewardDep

__all__ = ["router"]

router = APIRouter(tags=["bulk and export"])
CSV = "text/csv"


async def _body(request: Request, max_bytes: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise InvalidInput(
            f"The upload is larger than {max_bytes} bytes",
            errors=[FieldError("/", "max_bytes", f"at most {max_bytes} bytes")],
        )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise InvalidInput(
                f"The upload is larger than {max_bytes} bytes",
                errors=[FieldError("/", "max_bytes", f"at most {max_bytes} bytes")],
            )
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "/values/bulk",
    response_model=BulkReport,
    openapi_extra={
        "requestBody": {"required": True, "content": {CSV: {"schema": {"type": "string"}}}}
    },
    responses={
        **problem_responses(413, 415),
        422: {"description": "mode=all and some rows were rejected: nothing written"},
    },
)
async def upload_values(
    request: Request,
    session: SessionDep,
    actor: StewardDep,
    settings: SettingsDep,
    mode: Annotated[
        BulkMode, Query(description="all: every row or none; valid: the rows that pass")
    ] = "all",
) -> BulkReport:
    """Report many values at once from a CSV (``indicator,period,value,evidence_url,
    evidence_note``); each becomes a draft. Needs the Node steward role."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in (CSV, "application/csv"):
        raise UnsupportedMediaType(f"Send the file as {CSV}, not {media or 'nothing'}")
    rows = service.parse_csv(
        await _body(request, settings.csv_max_bytes), max_rows=settings.csv_max_rows
    )
    report = await service.import_csv(session, rows, actor=actor, mode=mode)
    if report.rejected and mode == "all":
        raise InvalidInput(
            f"{len(report.rejected)} problem(s) in {report.rows} rows; nothing was written",
            errors=[
                FieldError(
                    f"/rows/{r.row}" + (f"/{r.column}" if r.column else ""), r.rule, r.detail
                )
                for r in report.rejected
            ],
            report=report.model_dump(mode="json"),
        )
    return report


@router.get("/export", response_model=ExportDocument)
async def export_json(session: SessionDep, node: NodeDep, actor: StewardDep) -> ExportDocument:
    """Everything: indicators, values in every state, their history, derived values.
    Needs the Node steward role (drafts and history are not public)."""
    return await service.export_document(session, node=node)


@router.get(
    "/export/{part}.csv",
    response_class=Response,
    responses={200: {"content": {CSV: {}}, "description": "One table as CSV"}},
)
async def export_csv(
    part: Annotated[Literal["indicators", "values", "history", "derived"], Path()],
    session: SessionDep,
    node: NodeDep,
    actor: StewardDep,
) -> Response:
    """One table of the export as CSV (``values.csv`` uploads again as it is)."""
    document = await service.export_document(session, node=node)
    return Response(
        service.to_csv(document, part),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{node}-{part}.csv"'},
    )

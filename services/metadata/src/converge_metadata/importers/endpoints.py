"""``POST /api/v1/import``: a file in one of the import formats as the request body."""

from __future__ import annotations

from typing import Annotated

from converge_common.auth import RequireNodeSteward
from fastapi import APIRouter, Query, Request

from converge_metadata.dependencies import VocabDep
from converge_metadata.importers import service
from converge_metadata.importers.schemas import ImportFormat, ImportReport
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

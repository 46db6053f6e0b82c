"""What an import reports back: counts, every rejected record with its reasons, warnings."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from converge_metadata.importers.formats import ImportFormat

__all__ = [
    "ImportFormat",
    "ImportJobRead",
    "ImportJobStatus",
    "ImportReport",
    "ImportWarning",
    "RecordError",
    "RejectedRecord",
]

ImportJobStatus = Literal["queued", "running", "succeeded", "failed"]


class RecordError(BaseModel):
    pointer: str = Field(description="JSON pointer into the mapped record (or the source)")
    rule: str = Field(description="The rule broken, e.g. required, orcid_checksum, json")
    detail: str


class RejectedRecord(BaseModel):
    position: str = Field(description="Where in the input: file, line number or index")
    identifier: str | None = Field(default=None, description="The source's identifier, if known")
    errors: list[RecordError]


class ImportWarning(BaseModel):
    """Something that was left out or changed while mapping a record that was still imported."""

    position: str
    identifier: str | None = None
    detail: str


class ImportReport(BaseModel):
    imported: int = Field(default=0, description="Records stored: created + updated + unchanged")
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    drafts: int = Field(
        default=0,
        description="Of the records stored, those that are drafts (a record without status is "
        "one): only the Node's stewards see them, harvesters and the federation never do",
    )
    rejected: list[RejectedRecord] = Field(default_factory=list)
    warnings: list[ImportWarning] = Field(default_factory=list)
    warnings_omitted: int = Field(
        default=0, description="Warnings beyond the report's cap, counted but not listed"
    )


class ImportJobRead(BaseModel):
    """An import running in the background (``POST /api/v1/imports``) and, once it has ended,
    its report. Counts grow after every stored batch while it runs."""

    id: str
    status: ImportJobStatus = Field(
        description="queued, running, succeeded (every record was read; some may be rejected: "
        "see the report), failed (the import stopped: see error)"
    )
    format: ImportFormat
    record_status: str = Field(description="Status of records whose source has none")
    file_name: str
    byte_size: int = Field(description="Size of the uploaded file")
    bytes_read: int = Field(description="How far the parser has read (progress)")
    records_seen: int = Field(description="Records read so far, stored or rejected")
    created: int
    updated: int
    unchanged: int
    rejected: int
    actor: str = Field(description="Who started it: a token subject or client id")
    actor_name: str | None = None
    error: str | None = Field(default=None, description="Why a failed job stopped")
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    report: ImportReport | None = Field(
        default=None, description="The report, once the job has ended (absent while it runs)"
    )

    @property
    def finished(self) -> bool:
        return self.status in ("succeeded", "failed")

    @property
    def percent(self) -> int:
        """How much of the file has been read, 0-100 (100 only once finished)."""
        if self.finished:
            return 100
        if self.byte_size <= 0:
            return 0
        return min(99, self.bytes_read * 100 // self.byte_size)

"""What an import reports back: counts, every rejected record with its reasons, warnings."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

__all__ = ["ImportFormat", "ImportReport", "ImportWarning", "RecordError", "RejectedRecord"]


class ImportFormat(StrEnum):
    jsonl = "jsonl"
    biotools = "biotools"
    bioschemas = "bioschemas"
    datacite = "datacite"


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
    rejected: list[RejectedRecord] = Field(default_factory=list)
    warnings: list[ImportWarning] = Field(default_factory=list)
    warnings_omitted: int = Field(
        default=0, description="Warnings beyond the report's cap, counted but not listed"
    )

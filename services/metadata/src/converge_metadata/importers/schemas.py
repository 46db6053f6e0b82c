"""What an import reports back: counts, every rejected record with its reasons, warnings."""

from __future__ import annotations

from pydantic import BaseModel, Field

from converge_metadata.importers.formats import ImportFormat

__all__ = ["ImportFormat", "ImportReport", "ImportWarning", "RecordError", "RejectedRecord"]


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

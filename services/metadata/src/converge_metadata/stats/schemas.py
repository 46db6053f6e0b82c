"""Aggregate counts of the catalogue."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from converge_metadata.records.schemas import AccessLevel, RecordType

__all__ = ["CatalogueStats", "CourseMonth", "RecordCount"]


class RecordCount(BaseModel):
    type: RecordType
    access_level: AccessLevel = Field(
        description="In effect today: an embargo that has lapsed counts as public"
    )
    month: str = Field(description="YYYY-MM of first publication", pattern=r"^\d{4}-\d{2}$")
    count: int = Field(ge=0)


class CourseMonth(BaseModel):
    month: str = Field(description="YYYY-MM of the course's start date", pattern=r"^\d{4}-\d{2}$")
    events: int = Field(ge=0, description="Published course instances starting that month")
    participants: int = Field(ge=0, description="Sum of their recorded participants")
    with_participants: int = Field(ge=0, description="How many of them record participants")


class CatalogueStats(BaseModel):
    """Published, not deleted records, including those under a running embargo (stewards)."""

    node: str
    generated_at: datetime
    records: list[RecordCount]
    courses: list[CourseMonth]

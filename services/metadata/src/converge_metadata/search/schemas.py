"""Search request filters and the response the portal and the federation gateway consume."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from converge_metadata.records.schemas import AccessLevel, RecordStatus, RecordType

__all__ = [
    "CourseSummary",
    "FacetValue",
    "SearchFilters",
    "SearchHit",
    "SearchResponse",
    "SearchSort",
    "TrainingLevel",
]

SearchSort = Literal["relevance", "date", "title", "start"]
TrainingLevel = Literal["beginner", "intermediate", "advanced"]


class SearchFilters(BaseModel):
    """Values within one dimension are alternatives (OR); dimensions combine with AND."""

    q: str | None = None
    type: list[RecordType] = Field(default_factory=list)
    topic: list[str] = Field(default_factory=list)
    organism: list[str] = Field(default_factory=list)
    license: list[str] = Field(default_factory=list)
    access: list[AccessLevel] = Field(default_factory=list)
    keyword: list[str] = Field(default_factory=list)
    language: list[str] = Field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None
    # course filters: a date bound or ``online`` admits only records with a course
    starts_from: date | None = None
    starts_to: date | None = None
    online: bool | None = None
    level: list[TrainingLevel] = Field(default_factory=list)
    # drafts or published: only a steward's search (the workspace) sees drafts to filter
    status: list[RecordStatus] = Field(default_factory=list)

    @property
    def on_courses(self) -> bool:
        """Whether a course filter (read from the record document) is set."""
        return bool(
            self.starts_from is not None
            or self.starts_to is not None
            or self.online is not None
            or self.level
        )


class CourseSummary(BaseModel):
    """What a course listing needs of a CourseInstance, without fetching the record."""

    start_date: str = Field(description="ISO 8601 date or date-time, as the record gives it")
    end_date: str = Field(description="ISO 8601 date or date-time, as the record gives it")
    online: bool
    location: str | None = Field(default=None, description="The location's name")
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2")
    level: TrainingLevel | None = None


class SearchHit(BaseModel):
    id: str
    global_id: str = Field(description="{node}:{id}")
    node: str
    type: RecordType
    title: str = Field(
        description="In the first of the reader's languages the record has (`lang`, then "
        "`Accept-Language`), else English, else the first given"
    )
    title_language: str | None = Field(default=None, description="The title's language tag")
    snippet: str = Field(description="HTML-escaped text; matches wrapped in <mark>...</mark>")
    score: float = Field(description="Relevance, higher is better (bm25 / ts_rank); 0 without q")
    rank: int = Field(description="1-based position in the whole result list")
    access: AccessLevel = Field(description="Effective access: a lapsed embargo reads public")
    modified_at: datetime
    issued: date | None = None
    course: CourseSummary | None = Field(
        default=None, description="CourseInstance records: dates, place, level"
    )


class FacetValue(BaseModel):
    value: str
    label: str
    count: int


class SearchResponse(BaseModel):
    items: list[SearchHit]
    facets: dict[str, list[FacetValue]] = Field(
        description="Per dimension (type, topic, organism, license, access, keyword, year, "
        "language): the top values by count among all matching records"
    )
    total: int | None = Field(
        default=None, description="Matching records; absent when facets=false"
    )
    limit: int
    next_cursor: str | None = None
    sort: SearchSort

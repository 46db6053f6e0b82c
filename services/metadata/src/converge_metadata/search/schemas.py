"""Search request filters and the response the portal and the federation gateway consume."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from converge_metadata.records.schemas import AccessLevel, RecordType

__all__ = ["FacetValue", "SearchFilters", "SearchHit", "SearchResponse", "SearchSort"]

SearchSort = Literal["relevance", "date", "title"]


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

"""Usage schemas: the metadata service's events feed (validated before use) and load reports."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

__all__ = ["FeedEvent", "FeedPage", "FeedRecord", "LoadError", "LoadReportRead", "ReportInfo"]

Hash = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]


class FeedEvent(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: int = Field(ge=1)
    occurred_at: AwareDatetime
    record_id: Annotated[str, Field(min_length=1, max_length=100)]
    record_version: int | None = None
    kind: Literal["investigation", "request"]
    channel: Annotated[str, Field(max_length=16)]
    distribution: Annotated[int, Field(ge=0)] | None = None
    client_hash: Hash
    user_hash: Hash | None = None
    session_hash: Hash | None = None
    user_agent: Annotated[str, Field(max_length=512)]


class FeedRecord(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: str
    title: Annotated[str, Field(max_length=1000)] = ""
    doi: Annotated[str, Field(max_length=255)] | None = None
    publisher: Annotated[str, Field(max_length=500)] | None = None
    publication_year: int | None = None


class FeedPage(BaseModel):
    """One page of ``GET /api/v1/usage/events`` on the Node's metadata service."""

    model_config = ConfigDict(extra="ignore")

    items: Annotated[list[FeedEvent], Field(max_length=50_000)]
    cursor: Annotated[str, Field(pattern=r"^\d{1,19}$")]
    next_cursor: str | None = None
    records: dict[str, FeedRecord] = Field(default_factory=dict)


class LoadError(BaseModel):
    line: int
    reason: str


class LoadReportRead(BaseModel):
    """What a log file load did."""

    format: Literal["clf", "counter"]
    lines: int = Field(description="Lines read")
    counted: int = Field(description="Uses of datasets stored for counting")
    robots: int = Field(description="Uses by robots (COUNTER-Robots list), excluded")
    ignored: int = Field(description="Other URLs, failed or non-GET requests, comments")
    rejected: int = Field(description="Malformed lines, skipped")
    errors: list[LoadError] = Field(description="The first 100 rejected lines and why")
    months: list[str] = Field(description="Months whose COUNTER counts were recomputed")


class ReportInfo(BaseModel):
    """One entry of ``GET /reports`` (COUNTER SUSHI ``Report_Name``...)."""

    Report_Name: str
    Report_ID: str
    Release: str
    Report_Description: str
    Path: str
    First_Month_Available: str | None = None
    Last_Month_Available: str | None = None

"""The usage events feed, read by the Node's impact service."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from converge_common.pagination import Page
from pydantic import BaseModel, Field

__all__ = ["RecordFacts", "UsageEventPage", "UsageEventRead"]


class UsageEventRead(BaseModel):
    id: int = Field(description="Orders the feed; pass the last one as `after`")
    occurred_at: datetime
    record_id: str
    record_version: int | None
    kind: Literal["investigation", "request"]
    channel: str = Field(description="api, jsonld, datacite, rdf, landing, dcat, oai, download")
    distribution: int | None = Field(description="For requests: the distribution's index")
    client_hash: str = Field(description="HMAC of client address and user agent, daily salt")
    user_hash: str | None = Field(description="HMAC of the signed-in subject, daily salt")
    session_hash: str | None = Field(description="HMAC of the session cookie, daily salt")
    user_agent: str


class RecordFacts(BaseModel):
    type: str
    title: str
    doi: str | None
    publisher: str | None
    publication_year: int | None
    version: int


class UsageEventPage(Page[UsageEventRead]):
    cursor: str = Field(description="Pass as `after` next time (also when this page is short)")
    records: dict[str, RecordFacts] = Field(
        default_factory=dict, description="The records this page's events name, as they are now"
    )

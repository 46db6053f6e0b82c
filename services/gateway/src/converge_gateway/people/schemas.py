"""What ``GET /api/v1/people`` answers."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["NodeTerm", "NodeTermList", "PeoplePage", "PersonView", "Topic"]


class NodeTerm(BaseModel):
    """One term as a Node's ``/api/v1/terms`` gives it (what the gateway reads of it)."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(pattern=r"^topic_[0-9]{4}$")
    label: str = Field(min_length=1, max_length=300)


class NodeTermList(BaseModel):
    model_config = ConfigDict(extra="ignore")

    items: list[NodeTerm] = Field(max_length=50)


class Topic(BaseModel):
    id: str = Field(examples=["topic_0121"], description="EDAM topic id")
    label: str | None = Field(
        examples=["Proteomics"],
        description="EDAM's label; null when no Node could be asked for it",
    )


class PersonView(BaseModel):
    """A data steward or trainer. Never an e-mail address: ask the person's Node."""

    id: str
    node: str = Field(description="The Node the person belongs to")
    node_name: str | None = None
    name: str
    role: str = Field(examples=["data steward", "trainer"])
    orcid: str | None = Field(default=None, examples=["0000-0002-1825-0097"])
    orcid_url: str | None = Field(default=None, examples=["https://orcid.org/0000-0002-1825-0097"])
    expertise: list[Topic]
    languages: list[str] = Field(description="ISO 639-1 codes", examples=[["pt", "en"]])


class PeoplePage(BaseModel):
    items: list[PersonView]
    next_cursor: str | None = Field(
        default=None, description="Pass as cursor for the next page; null on the last"
    )
    limit: int
    q_topics: list[Topic] = Field(
        default_factory=list,
        description="The EDAM topics q was found to name (by label or synonym); people with "
        "any of them match, as do people whose name contains q",
    )
    terms_error: str | None = Field(
        default=None,
        description="Why q could not be resolved to topics or labels could not be read (no "
        "Node answered the term lookup); q then matches names only",
    )
    scan_capped: bool = Field(
        default=False,
        description="With q, the gateway reads at most 2000 people matching the other "
        "filters; true when there were more and some were not considered",
    )

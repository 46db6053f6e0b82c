"""Shapes of a Node's search answer (validated before use) and of the federated answer."""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from converge_gateway.fanout.engine import NodeOutcome

__all__ = [
    "FACET_DIMENSIONS",
    "LOCAL_ID_PATTERN",
    "AccessLevel",
    "FacetCount",
    "FacetDimension",
    "FederatedSearchPage",
    "NodeFacetValue",
    "NodeHit",
    "NodeSearchPage",
    "NodeStatus",
    "RecordType",
    "SearchSort",
    "SearchWarning",
    "TrainingLevel",
]

# The Node search API's vocabulary, as the Nodes' OpenAPI documents it (a contract test in
# tests/federation compares the two): the gateway validates a caller's filters by it itself
RecordType = Literal["Dataset", "Software", "TrainingMaterial", "CourseInstance"]
AccessLevel = Literal["public", "embargoed", "controlled"]
SearchSort = Literal["relevance", "date", "title", "start"]
TrainingLevel = Literal["beginner", "intermediate", "advanced"]
FacetDimension = Literal[
    "type", "topic", "organism", "license", "access", "keyword", "year", "language"
]
FACET_DIMENSIONS: tuple[str, ...] = get_args(FacetDimension)

LOCAL_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,99}$"
MAX_ITEMS = 1000
MAX_FACET_DIMENSIONS = 50
MAX_FACET_VALUES = 1000


class NodeHit(BaseModel):
    """One record summary from a Node; its other fields pass through as the Node sent them."""

    model_config = ConfigDict(extra="allow", strict=True)

    id: str = Field(pattern=LOCAL_ID_PATTERN)
    score: float | None = None


class NodeFacetValue(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)

    value: str = Field(max_length=500)
    count: int = Field(ge=0)
    label: str | None = Field(default=None, max_length=500)


class NodeSearchPage(BaseModel):
    """A Node's ``GET /api/v1/search`` answer; anything else is that Node's error."""

    model_config = ConfigDict(extra="ignore", strict=True)

    items: list[NodeHit] = Field(max_length=MAX_ITEMS)
    next_cursor: str | None = Field(default=None, max_length=4000)
    total: int | None = Field(default=None, ge=0)
    facets: dict[str, list[NodeFacetValue]] = Field(
        default_factory=dict, max_length=MAX_FACET_DIMENSIONS
    )


class FacetCount(BaseModel):
    value: str
    count: int = Field(description="Matching records with this value, over the Nodes that answered")
    label: str | None = None
    exact: bool = Field(
        description="False when the count is a lower bound: a Node that may hold more records "
        "with this value could not be asked (see the gateway's documentation)"
    )


class SearchWarning(BaseModel):
    """Something the gateway did differently from what was asked, and answered anyway."""

    pointer: str = Field(description="The parameter, as a JSON pointer (`/limit`)")
    rule: str = Field(description="The rule applied (`maximum`)")
    detail: str


class NodeStatus(BaseModel):
    """What happened to one Node in this request."""

    status: NodeOutcome
    ms: float | None = Field(default=None, description="Time the Node took, or was waited for")
    count: int | None = Field(default=None, description="Records the Node contributed to the page")
    total: int | None = Field(default=None, description="Records matching at the Node")
    reason: str | None = Field(default=None, description="Why it is not ok")


class FederatedSearchPage(BaseModel):
    items: list[dict[str, Any]] = Field(
        description="Record summaries as their Nodes sent them, each labelled with `node` and "
        "`global_id` ({node}:{id}), in one ranking fair across Nodes (reciprocal rank fusion)"
    )
    next_cursor: str | None = Field(
        default=None, description="Continues every Node where this page stopped"
    )
    limit: int
    total: int | None = Field(description="Sum of the totals of the Nodes that answered")
    facets: dict[str, list[FacetCount]] | None = Field(
        default=None,
        description="Per dimension asked for (`facets`), the `facet_size` values most frequent "
        "across the Nodes, each count complete unless `exact` is false (first page only)",
    )
    nodes: dict[str, NodeStatus] = Field(description="Each Node's outcome")
    partial: bool = Field(description="True when some Node did not contribute (not ok)")
    warnings: list[SearchWarning] = Field(
        default_factory=list,
        description="Parameters the gateway applied differently from what was asked (a "
        "`limit` above the maximum is capped)",
    )

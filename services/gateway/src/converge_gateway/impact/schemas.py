"""The impact vocabulary of the contract, and the shapes of the federated impact answers."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, Field

from converge_gateway.fanout.engine import NodeOutcome
from converge_gateway.impact.periods import Granularity

__all__ = [
    "CODE_PATTERN",
    "PATHWAYS",
    "CombineRule",
    "FederatedIndicator",
    "FederatedProfile",
    "FederatedSeries",
    "IndicatorCatalogue",
    "IndicatorDefinition",
    "IndicatorType",
    "NodeOutcomeRead",
    "Pathway",
    "ProfileIndicator",
    "ProfilePathway",
    "Scope",
    "SeriesPoint",
    "Source",
]

# lowercase, dot-separated: records.datasets.published
CODE_PATTERN = r"^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$"
CODE_MAX = 100

Pathway = Literal[
    "research_efficiency",
    "resource_uptake",
    "infrastructure_sustainability",
    "skills_development",
    "equal_opportunity",
    "policy_influence",
    "public_awareness",
    "working_together",
    "scientific_legacy",
]
# ELIXIR's nine impact categories, in the order a profile lists them
PATHWAYS: tuple[Pathway, ...] = get_args(Pathway)
IndicatorType = Literal["input", "output", "outcome", "impact"]
CombineRule = Literal["sum", "mean", "max", "latest"]
Source = Literal["reported", "derived"]
Scope = Literal["federation", "node"]


class IndicatorDefinition(BaseModel):
    """An indicator as the contract defines it (the federation's definition of it)."""

    code: str
    name: str
    description: str
    pathway: Pathway
    type: IndicatorType
    unit: str
    combine_nodes: CombineRule = Field(description="How values combine across Nodes")
    combine_periods: CombineRule = Field(description="How a Node combines values across periods")
    source: Source
    derivation: str | None
    scope: Scope


class FederatedIndicator(IndicatorDefinition):
    nodes: list[str] = Field(description="Nodes that define the indicator this way")
    conflicts: dict[str, str] = Field(
        default_factory=dict,
        description="Nodes that define it differently (unit or combination rules), and how; "
        "their values are left out of every federated figure of this indicator",
    )


class NodeOutcomeRead(BaseModel):
    """What happened to one Node in this request (as in federated search)."""

    node: str
    status: NodeOutcome
    took_ms: float | None = Field(default=None, description="Time the Node took, or was waited for")
    reason: str | None = Field(default=None, description="Why it is not ok")
    indicators: int | None = Field(
        default=None, description="Indicators (catalogue) or values (profile) the Node gave"
    )
    defined: bool | None = Field(
        default=None, description="Series: whether the Node defines the indicator at all"
    )
    points: int | None = Field(default=None, description="Series: periods the Node gave values for")
    conflicts: list[str] = Field(
        default_factory=list,
        description="Indicators the Node defines differently from the federation (left out)",
    )


class IndicatorCatalogue(BaseModel):
    items: list[FederatedIndicator] = Field(description="The union of the Nodes' catalogues")
    partial: bool = Field(description="True when some Node that runs impact did not answer")
    nodes: list[NodeOutcomeRead]


class SeriesPoint(BaseModel):
    period: str
    value: float = Field(description="The Nodes' values combined by the indicator's rule")
    nodes: dict[str, float] = Field(description="Each contributing Node's value")
    latest_node: str | None = Field(
        default=None, description="Rule `latest`: the Node whose value was taken"
    )


class FederatedSeries(BaseModel):
    indicator: FederatedIndicator
    granularity: Granularity
    points: list[SeriesPoint] = Field(description="In period order; periods without values omitted")
    partial: bool = Field(description="True when some Node that runs impact did not contribute")
    nodes: list[NodeOutcomeRead]


class ProfileIndicator(BaseModel):
    code: str
    name: str
    unit: str
    combine_nodes: CombineRule
    value: float
    nodes: dict[str, float]
    latest_node: str | None = None
    conflicts: dict[str, str] = Field(
        default_factory=dict, description="Nodes whose value was left out, and why"
    )


class ProfilePathway(BaseModel):
    pathway: Pathway
    indicators: list[ProfileIndicator]


class FederatedProfile(BaseModel):
    period: str
    pathways: list[ProfilePathway] = Field(description="All nine pathways, in ELIXIR's order")
    partial: bool = Field(
        description="True when some Node that runs impact did not answer, or a value was "
        "left out because its Node defines the indicator differently"
    )
    nodes: list[NodeOutcomeRead]

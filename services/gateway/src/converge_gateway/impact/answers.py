"""What a Node's impact service answers, validated before anything of it is used.

Every model is strict and bounded; an answer that does not fit, or that does not answer what
was asked (another indicator, period or granularity, periods out of range or out of order),
is that Node's ``error`` and none of it is passed on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, Field

from converge_gateway.fanout.engine import NodeAnswerInvalid
from converge_gateway.impact.periods import Granularity, is_period_of
from converge_gateway.impact.schemas import (
    CODE_MAX,
    CODE_PATTERN,
    CombineRule,
    IndicatorType,
    Pathway,
    Scope,
    Source,
)

__all__ = [
    "NodeIndicator",
    "NodeIndicatorPage",
    "NodeProfile",
    "NodeSeries",
    "NodeValue",
    "check_profile",
    "check_series",
    "parse_answer",
]

MAX_INDICATORS = 2000
MAX_POINTS = 5000
M = TypeVar("M", bound=BaseModel)


class _Answer(BaseModel):
    # Nodes may add fields (the contract allows it); only these are read, and strictly
    model_config = ConfigDict(extra="ignore", strict=True)


class NodeIndicator(_Answer):
    code: str = Field(max_length=CODE_MAX, pattern=CODE_PATTERN)
    name: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=10_000)
    pathway: Pathway
    type: IndicatorType
    unit: str = Field(min_length=1, max_length=60)
    combine_nodes: CombineRule
    combine_periods: CombineRule
    source: Source
    derivation: str | None = Field(default=None, max_length=10_000)
    scope: Scope


class NodeIndicatorPage(_Answer):
    items: list[NodeIndicator] = Field(max_length=MAX_INDICATORS)
    next_cursor: str | None = Field(default=None, max_length=4000)


class NodePoint(_Answer):
    period: str = Field(max_length=7)
    value: float = Field(allow_inf_nan=False)
    source: Source
    computed_at: datetime | None = None
    validated_at: datetime | None = None


class NodeSeries(_Answer):
    indicator: str = Field(max_length=CODE_MAX)
    granularity: Granularity
    unit: str = Field(max_length=60)
    points: list[NodePoint] = Field(max_length=MAX_POINTS)


class NodeProfileValue(_Answer):
    code: str = Field(max_length=CODE_MAX, pattern=CODE_PATTERN)
    value: float = Field(allow_inf_nan=False)
    unit: str = Field(max_length=60)
    # not in the contract; read when a Node sends them (for the rule ``latest``)
    computed_at: datetime | None = None
    validated_at: datetime | None = None


class NodeProfilePathway(_Answer):
    pathway: Pathway
    indicators: list[NodeProfileValue] = Field(max_length=MAX_INDICATORS)


class NodeProfile(_Answer):
    period: str = Field(max_length=7)
    pathways: list[NodeProfilePathway] = Field(max_length=20)


@dataclass(frozen=True)
class NodeValue:
    """One Node's value of one indicator for one period, and when it was last established."""

    value: float
    at: datetime | None


def parse_answer(response: httpx.Response, model: type[M], what: str) -> M:
    if not response.headers.get("content-type", "").startswith("application/json"):
        raise NodeAnswerInvalid(f"{what} answer is not JSON")
    try:
        return model.model_validate_json(response.content)
    except ValueError as exc:
        raise NodeAnswerInvalid(f"malformed {what} answer") from exc


def established_at(computed_at: datetime | None, validated_at: datetime | None) -> datetime | None:
    """When a value was computed (derived) or validated (reported), whichever is later."""
    if computed_at is None and validated_at is None:
        return None
    moments = [m if m.tzinfo else m.replace(tzinfo=UTC) for m in (computed_at, validated_at) if m]
    return max(moments)


def check_series(
    series: NodeSeries,
    *,
    code: str,
    granularity: Granularity,
    unit: str,
    start: str | None,
    end: str | None,
) -> dict[str, NodeValue]:
    """The series' values by period, if it answers exactly what was asked."""
    if series.indicator != code:
        raise NodeAnswerInvalid(f"series of another indicator ({series.indicator[:60]})")
    if series.granularity != granularity:
        raise NodeAnswerInvalid(f"series by {series.granularity}, not by {granularity}")
    if series.unit != unit:
        raise NodeAnswerInvalid("series unit differs from the Node's own definition")
    values: dict[str, NodeValue] = {}
    previous = ""
    for point in series.points:
        period = point.period
        if not is_period_of(period, granularity):
            raise NodeAnswerInvalid(f"period {period!r} is not a {granularity}")
        # periods of one granularity compare as strings in time order
        if period <= previous:
            raise NodeAnswerInvalid("series periods out of order or repeated")
        if (start and period < start) or (end and period > end):
            raise NodeAnswerInvalid(f"period {period} outside the range asked for")
        previous = period
        values[period] = NodeValue(
            point.value, established_at(point.computed_at, point.validated_at)
        )
    return values


def check_profile(
    profile: NodeProfile, *, period: str, catalogue: Mapping[str, NodeIndicator]
) -> dict[str, NodeValue]:
    """The profile's values by indicator code, if it answers for the period asked and every
    value is of an indicator the Node's own catalogue defines, in its unit."""
    if profile.period != period:
        raise NodeAnswerInvalid(f"profile of another period ({profile.period})")
    values: dict[str, NodeValue] = {}
    for pathway in profile.pathways:
        for item in pathway.indicators:
            definition = catalogue.get(item.code)
            if definition is None:
                raise NodeAnswerInvalid(f"profile value of an undefined indicator {item.code}")
            if item.unit != definition.unit:
                raise NodeAnswerInvalid(f"profile unit of {item.code} differs from its definition")
            if item.code in values:
                raise NodeAnswerInvalid(f"profile lists {item.code} twice")
            at = established_at(item.computed_at, item.validated_at)
            values[item.code] = NodeValue(value=item.value, at=at)
    return values

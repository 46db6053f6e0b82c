"""The impact vocabulary shared with the gateway (see docs/impact.md): pathways, indicator
types, combine rules, sources, value states, and how values combine."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

__all__ = [
    "COMBINE_RULES",
    "PATHWAYS",
    "PATHWAY_NAMES",
    "CombineRule",
    "IndicatorType",
    "Pathway",
    "Source",
    "ValueStatus",
    "combine",
]

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
PATHWAY_NAMES: dict[str, str] = {
    "research_efficiency": "Research efficiency",
    "resource_uptake": "Bioinformatics resource uptake",
    "infrastructure_sustainability": "Research infrastructure sustainability",
    "skills_development": "Skills development",
    "equal_opportunity": "Equal opportunity",
    "policy_influence": "Policy influence",
    "public_awareness": "Public awareness",
    "working_together": "Benefits of working together",
    "scientific_legacy": "Scientific legacy",
}
PATHWAYS: tuple[str, ...] = tuple(PATHWAY_NAMES)
IndicatorType = Literal["input", "output", "outcome", "impact"]
CombineRule = Literal["sum", "mean", "max", "latest"]
COMBINE_RULES: tuple[str, ...] = ("sum", "mean", "max", "latest")
Source = Literal["reported", "derived"]
ValueStatus = Literal["draft", "submitted", "validated"]


def combine(rule: str, values: Sequence[float]) -> float:
    """``values`` in period order (``latest`` takes the last); never empty."""
    if rule == "sum":
        return float(sum(values))
    if rule == "mean":
        return float(sum(values) / len(values))
    if rule == "max":
        return float(max(values))
    if rule == "latest":
        return float(values[-1])
    raise ValueError(f"unknown combine rule {rule!r}")

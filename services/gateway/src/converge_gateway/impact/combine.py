"""How the Nodes' figures become the federation's: which definition counts, and the rules.

**Definition.** Values of one indicator combine only when the Nodes mean the same thing by it:
the same ``unit``, ``combine_nodes`` and ``combine_periods``. When Nodes disagree, the
federation's definition is that of the group of Nodes declaring it with scope ``federation``
(the shared catalogue) if there is one, else of the largest group, ties going to the group
with the lowest Node id; its descriptive fields are those of that group's lowest Node id. The
other Nodes' values of that indicator are left out and reported as conflicts.

**Rules** across Nodes, per period: ``sum`` (exactly rounded, ``math.fsum``), ``mean`` (of the
Nodes that have a value), ``max``, and ``latest``: the value of the Node whose value was
established most recently (``validated_at`` of a reported value, ``computed_at`` of a derived
one, whichever is later); a value without either time counts as older than any with one, and
equal times go to the lowest Node id.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from converge_gateway.impact.answers import NodeIndicator, NodeValue
from converge_gateway.impact.schemas import CombineRule

__all__ = ["Agreement", "Combined", "agree", "combine"]

_DEFINING = ("unit", "combine_nodes", "combine_periods")
_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass
class Agreement:
    """The federation's definition of one indicator and who shares it."""

    definition: NodeIndicator
    nodes: list[str]
    conflicts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Combined:
    value: float
    nodes: dict[str, float]
    latest_node: str | None


def _key(indicator: NodeIndicator) -> tuple[str, str, str]:
    return indicator.unit, indicator.combine_nodes, indicator.combine_periods


def _difference(theirs: NodeIndicator, ours: NodeIndicator) -> str:
    parts = [
        f"{name} {getattr(theirs, name)!r} (federation: {getattr(ours, name)!r})"
        for name in _DEFINING
        if getattr(theirs, name) != getattr(ours, name)
    ]
    return "defined differently: " + ", ".join(parts)


def agree(definitions: Mapping[str, NodeIndicator]) -> Agreement:
    """The federation's definition among the Nodes' (keyed by Node id, at least one)."""
    ordered = sorted(definitions)
    first = _key(definitions[ordered[0]])
    if all(_key(definitions[node]) == first for node in ordered):  # the usual case
        return Agreement(definition=definitions[ordered[0]], nodes=ordered)
    groups: dict[tuple[str, ...], list[str]] = {}
    for node in sorted(definitions):
        groups.setdefault(_key(definitions[node]), []).append(node)

    def rank(members: list[str]) -> tuple[bool, int, str]:
        shared = any(definitions[n].scope == "federation" for n in members)
        return not shared, -len(members), members[0]

    winners = min(groups.values(), key=rank)
    chosen = definitions[winners[0]]
    conflicts = {
        node: _difference(definitions[node], chosen)
        for node in sorted(definitions)
        if node not in winners
    }
    return Agreement(definition=chosen, nodes=winners, conflicts=conflicts)


def combine(rule: CombineRule, values: Mapping[str, NodeValue]) -> Combined:
    """The Nodes' values (at least one) combined by ``rule``."""
    ordered = {node: values[node] for node in sorted(values)}
    numbers = [v.value for v in ordered.values()]
    by_node = {node: v.value for node, v in ordered.items()}
    if rule == "sum":
        return Combined(math.fsum(numbers), by_node, None)
    if rule == "mean":
        return Combined(math.fsum(numbers) / len(numbers), by_node, None)
    if rule == "max":
        return Combined(max(numbers), by_node, None)
    # latest: max() keeps the first of equals, and the Nodes are in id order
    node = max(ordered, key=lambda n: ordered[n].at or _NEVER)
    return Combined(ordered[node].value, by_node, node)

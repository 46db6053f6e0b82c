"""Federated facet counts: the top values across Nodes, each count completed where it can be.

A Node lists only its own top values per dimension, so a value can be frequent in the
federation and still be missing from one Node's list; summing the lists undercounts it. As
distributed search engines do (Elasticsearch's ``shard_size``), the gateway asks each Node for
more values than it shows (:func:`node_facet_size`), chooses the values to show by the counts it
has, and then completes the count of every value shown at each Node whose list was full and did
not name it: one search at that Node filtered by the value, whose total is the count
(:func:`completions`). A count that could not be completed (too many to ask, the Node failed,
or the caller's own filter on that dimension makes the count unaskable) is a lower bound and
says so (``exact: false``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from converge_gateway.search.schemas import FACET_DIMENSIONS, FacetCount, NodeFacetValue

__all__ = [
    "NODE_FACET_MAX",
    "Candidate",
    "Completion",
    "choose",
    "completion_params",
    "completions",
    "finish",
    "node_facet_size",
]

# the largest facet_size a Node takes
NODE_FACET_MAX = 100


def node_facet_size(shown: int, *, factor: float, extra: int) -> int:
    """How many values per dimension each Node is asked for to show ``shown`` of them."""
    return max(shown, min(NODE_FACET_MAX, math.ceil(shown * factor) + extra))


@dataclass
class Candidate:
    value: str
    label: str | None
    # each Node's count, where the Node listed the value or its count was completed
    counts: dict[str, int] = field(default_factory=dict)
    # Nodes whose list may have left the value out (full lists that do not name it)
    unknown: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Completion:
    node: str
    dimension: str
    value: str


def choose(
    answers: Mapping[str, Mapping[str, Sequence[NodeFacetValue]]],
    *,
    dimensions: Sequence[str],
    asked: int,
    shown: int,
) -> dict[str, list[Candidate]]:
    """Per dimension, the ``shown`` values with the highest known counts (ties by value)."""
    chosen: dict[str, list[Candidate]] = {}
    for dimension in dimensions:
        candidates: dict[str, Candidate] = {}
        for node, facets in answers.items():
            for entry in facets.get(dimension, ()):
                slot = candidates.setdefault(entry.value, Candidate(entry.value, entry.label))
                slot.counts[node] = slot.counts.get(node, 0) + entry.count
                slot.label = slot.label or entry.label
        ranked = sorted(candidates.values(), key=lambda c: (-c.count, c.value))[:shown]
        for candidate in ranked:
            for node, facets in answers.items():
                listed = facets.get(dimension)
                # a Node that listed fewer values than asked listed every value it has
                full = listed is None or len(listed) >= asked
                if full and node not in candidate.counts:
                    candidate.unknown.append(node)
        chosen[dimension] = ranked
    return chosen


def _filtered_values(params: Sequence[tuple[str, str]], dimension: str) -> list[str]:
    return [v for k, v in params if k == dimension]


def completion_params(
    params: Sequence[tuple[str, str]], completion: Completion
) -> list[tuple[str, str]] | None:
    """The Node search whose total is the value's count there; ``None`` when the caller's own
    filter on the dimension makes it unaskable (values within a dimension are alternatives, so
    "records with one of the caller's values *and* this one" has no query)."""
    dimension, value = completion.dimension, completion.value
    if dimension == "year":
        try:
            year = int(value)
        except ValueError:
            return None
        kept = [(k, v) for k, v in params if k not in ("year_from", "year_to")]
        return [*kept, ("year_from", str(year)), ("year_to", str(year))]
    filtered = _filtered_values(params, dimension)
    if filtered and value not in filtered:
        return None
    kept = [(k, v) for k, v in params if k != dimension]
    return [*kept, (dimension, value)]


def completions(
    chosen: Mapping[str, Sequence[Candidate]],
    params: Sequence[tuple[str, str]],
    *,
    max_calls: int,
) -> list[Completion]:
    """The counts to complete, in the order the values are shown, at most ``max_calls``."""
    wanted: list[Completion] = []
    for dimension, candidates in chosen.items():
        for candidate in candidates:
            for node in candidate.unknown:
                completion = Completion(node, dimension, candidate.value)
                if completion_params(params, completion) is not None:
                    wanted.append(completion)
    return wanted[:max_calls]


def finish(
    chosen: Mapping[str, Sequence[Candidate]], completed: Mapping[Completion, int]
) -> dict[str, list[FacetCount]]:
    """The shown values with their completed counts, most frequent first."""
    out: dict[str, list[FacetCount]] = {}
    for dimension in FACET_DIMENSIONS:
        if dimension not in chosen:
            continue
        values = []
        for candidate in chosen[dimension]:
            exact = True
            for node in candidate.unknown:
                count = completed.get(Completion(node, dimension, candidate.value))
                if count is None:
                    exact = False
                else:
                    candidate.counts[node] = count
            values.append(
                FacetCount(
                    value=candidate.value, label=candidate.label, count=candidate.count, exact=exact
                )
            )
        out[dimension] = sorted(values, key=lambda f: (-f.count, f.value))
    return out

"""One ranking out of many: reciprocal rank fusion, summed facets, advanced positions.

Nodes score by their own yardsticks (different corpora, different engines), so raw scores are
not comparable. Reciprocal rank fusion uses only each record's rank at its Node:
``1 / (k + rank)``. Because the rank continues across pages (the cursor carries how many of a
Node's records were already shown), paging walks one stable merged order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from converge_gateway.search.cursor import NodePosition
from converge_gateway.search.schemas import FacetCount, NodeSearchPage

__all__ = ["Merged", "NodePage", "advance", "merge_facets", "merge_pages"]


@dataclass
class NodePage:
    """A Node's answer for this page, with what it had shown before."""

    node: str
    position: NodePosition
    page: NodeSearchPage
    # records at the head of the answer already shown on earlier pages
    skip: int


@dataclass
class Merged:
    items: list[dict[str, Any]]
    taken: dict[str, int]


def merge_pages(pages: Sequence[NodePage], *, limit: int, k: int) -> Merged:
    candidates: list[tuple[float, int, int, dict[str, Any]]] = []
    for order, entry in enumerate(pages):
        fresh = entry.page.items[entry.skip :]
        for index, hit in enumerate(fresh):
            rank = entry.position.b + index + 1
            item = hit.model_dump()
            item["node_score"] = item.pop("score", None)
            item["node"] = entry.node
            item["global_id"] = f"{entry.node}:{hit.id}"
            item["rank"] = rank
            candidates.append((1.0 / (k + rank), order, index, item))
    # ties (same rank at different Nodes) go to the Node listed first, stably
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    chosen = candidates[:limit]
    taken = {entry.node: 0 for entry in pages}
    items = []
    for score, _order, _index, item in chosen:
        taken[item["node"]] += 1
        item["score"] = round(score, 8)
        items.append(item)
    return Merged(items=items, taken=taken)


def advance(entry: NodePage, taken: int) -> NodePosition:
    """Where the Node continues on the next page."""
    pos, page = entry.position, entry.page
    shown = entry.skip + taken
    if shown >= len(page.items):
        if page.next_cursor:
            return NodePosition(c=page.next_cursor, s=0, b=pos.b + taken, t=page.total)
        return NodePosition(c=pos.c, s=shown, b=pos.b + taken, t=page.total, d=True)
    return NodePosition(c=pos.c, s=shown, b=pos.b + taken, t=page.total)


def merge_facets(pages: Sequence[Mapping[str, Sequence[Any]]]) -> dict[str, list[FacetCount]]:
    """Counts summed per dimension and value, most frequent first."""
    sums: dict[str, dict[str, list[Any]]] = {}
    for facets in pages:
        for dimension, values in facets.items():
            bucket = sums.setdefault(dimension, {})
            for value in values:
                slot = bucket.setdefault(value.value, [0, None])
                slot[0] += value.count
                slot[1] = slot[1] or value.label
    return {
        dimension: [
            FacetCount(value=v, count=c, label=label)
            for v, (c, label) in sorted(bucket.items(), key=lambda kv: (-kv[1][0], kv[0]))
        ]
        for dimension, bucket in sorted(sums.items())
    }

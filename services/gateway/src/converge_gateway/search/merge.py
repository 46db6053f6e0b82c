"""One ranking out of many: reciprocal rank fusion and advanced positions.

Nodes score by their own yardsticks (different corpora, different engines), so raw scores are
not comparable. Reciprocal rank fusion uses only each record's rank at its Node:
``1 / (k + rank)``. Because the rank continues across pages (the cursor carries how many of a
Node's records were already shown), paging walks one stable merged order.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from converge_gateway.search.cursor import NodePosition
from converge_gateway.search.schemas import NodeHit, NodeSearchPage

__all__ = ["Merged", "NodePage", "advance", "merge_pages"]


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


def _date_key(value: Any) -> float:
    try:
        return -datetime.fromisoformat(str(value)).timestamp()
    except ValueError:
        return 0.0


def _sort_key(order: str, hit: NodeHit, rank: int, k: int) -> tuple[float | str, ...]:
    extra = hit.model_extra or {}
    if order == "date":
        return (_date_key(extra.get("modified_at")),)
    if order == "start":
        # as a Node sorts: the course's start date, records without a course after all
        course = extra.get("course")
        start = course.get("start_date") if isinstance(course, dict) else None
        return (str(start)[:10] if start else "9999-12-31",)
    if order == "title":
        title = extra.get("title")
        return (title.casefold() if isinstance(title, str) else "",)
    return (-1.0 / (k + rank),)


def _item(hit: NodeHit, node: str, rank: int, k: int) -> dict[str, Any]:
    item = hit.model_dump()
    item["node_score"] = item.pop("score", None)
    item["node"] = node
    item["global_id"] = f"{node}:{hit.id}"
    item["rank"] = rank
    item["score"] = round(1.0 / (k + rank), 8)
    return item


def merge_pages(pages: Sequence[NodePage], *, limit: int, k: int, order: str) -> Merged:
    """The first ``limit`` records of the merged order.

    A k-way merge takes every Node's records in the Node's own order (a prefix of each Node's
    list), so the counts taken are exactly how far each Node advanced: nothing is shown twice
    or skipped, even if a Node's order disagrees with the merge key. Only the records taken
    are turned into the answer's items.
    """
    streams = []
    for position, entry in enumerate(pages):
        stream = []
        for index, hit in enumerate(entry.page.items[entry.skip :]):
            rank = entry.position.base + index + 1
            stream.append((_sort_key(order, hit, rank, k), position, index, rank, hit))
        streams.append(stream)
    taken = {entry.node: 0 for entry in pages}
    items = []
    # ties go to the Node listed first, stably
    for _key, position, _index, rank, hit in islice(heapq.merge(*streams), limit):
        node = pages[position].node
        taken[node] += 1
        items.append(_item(hit, node, rank, k))
    return Merged(items=items, taken=taken)


def advance(entry: NodePage, taken: int) -> NodePosition:
    """Where the Node continues on the next page."""
    pos, page = entry.position, entry.page
    shown = entry.skip + taken
    # continuation pages ask without facets, and a Node then need not count
    total = page.total if page.total is not None else pos.total
    if shown >= len(page.items):
        if page.next_cursor:
            return NodePosition(node_cursor=page.next_cursor, base=pos.base + taken, total=total)
        return NodePosition(
            node_cursor=pos.node_cursor, shown=shown, base=pos.base + taken, total=total, done=True
        )
    return NodePosition(
        node_cursor=pos.node_cursor, shown=shown, base=pos.base + taken, total=total
    )

"""The search page's view of a federated search: filters, facets, Node outcomes, paging.

Everything the page shows is in its URL (``q``, every filter, ``sort``, ``cursor``), so a
page can be shared, bookmarked and reloaded; each facet value is a link that adds or removes
its filter, so the page needs no JavaScript.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from babel import Locale, UnknownLocaleError

from converge_gateway.context import Gateway
from converge_gateway.portal.render import url_with

__all__ = ["FILTERS", "SearchView", "search_view"]

# the filters the page offers, in the sidebar's order (the Nodes' search parameters)
FILTERS = ("type", "topic", "organism", "license", "access", "language", "year", "keyword")
# parameters the page passes to the federated search as they are
PASSED = frozenset({"q", "sort", "cursor", "limit", "node", "year_from", "year_to", *FILTERS})
SORTS = ("relevance", "date", "title")
PAGE_SIZE = 20


@dataclass
class FacetEntry:
    value: str
    label: str
    count: int
    url: str
    active: bool


@dataclass
class ActiveFilter:
    name: str
    value: str
    label: str
    remove_url: str


@dataclass
class NodeLine:
    id: str
    name: str
    status: str
    ms: float | None
    total: int | None
    reason: str | None
    url: str
    active: bool
    # the registry's view of the Node's metadata service, when the gateway did not call it
    # because of it (a Node the registry's probes cannot reach is shown as unreachable)
    registry_state: str | None = None

    @property
    def registry_unreachable(self) -> bool:
        return self.status == "skipped" and self.registry_state == "unreachable"


@dataclass
class SearchView:
    params: list[tuple[str, str]]
    query: str
    sort: str | None
    items: list[dict[str, Any]] = field(default_factory=list)
    total: int | None = None
    facets: dict[str, list[FacetEntry]] = field(default_factory=dict)
    active: list[ActiveFilter] = field(default_factory=list)
    nodes: list[NodeLine] = field(default_factory=list)
    partial: bool = False
    next_url: str | None = None
    first_url: str | None = None
    clear_url: str = "/"
    node_names: dict[str, str] = field(default_factory=dict)


def search_params(params: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The page's parameters that reach the federated search (empty values dropped: an empty
    search box or an unchosen select means no filter)."""
    kept: list[tuple[str, str]] = []
    for name, value in params:
        if name == "year" and value.strip():
            # the year facet narrows to one year: the Nodes' year range
            kept += [("year_from", value.strip()), ("year_to", value.strip())]
        elif name in PASSED and value.strip():
            kept.append((name, value.strip()))
    return kept


def language_name(tag: str, reader: str) -> str | None:
    """A language tag's name in the reader's language (``fi`` → "Finnish", "finnisch")."""
    try:
        name = Locale.parse(tag.replace("-", "_")).get_display_name(reader)
    except (ValueError, UnknownLocaleError):
        return None
    return str(name) if name else None


def search_view(
    gateway: Gateway, params: list[tuple[str, str]], answer: dict[str, Any], reader: str
) -> SearchView:
    page_params = [(k, v) for k, v in params if k != "cursor"]
    view = SearchView(
        params=page_params,
        query=next((v for k, v in params if k == "q"), ""),
        sort=next((v for k, v in params if k == "sort"), None),
        items=answer.get("items", []),
        total=answer.get("total"),
        partial=bool(answer.get("partial")),
    )
    labels: dict[tuple[str, str], str] = {}
    for name, values in (answer.get("facets") or {}).items():
        entries: list[FacetEntry] = []
        for facet in values:
            value = str(facet["value"])
            label = facet.get("label") or value
            if name == "language":
                label = language_name(value, reader) or label
            labels[(name, value)] = label
            active = (name, value) in page_params
            change = {"remove": [(name, value)]} if active else {"add": [(name, value)]}
            entries.append(
                FacetEntry(
                    value, label, int(facet["count"]), url_with("/", page_params, **change), active
                )
            )
        view.facets[name] = entries
    for name, value in page_params:
        if name in FILTERS or name == "node":
            view.active.append(
                ActiveFilter(
                    name,
                    value,
                    labels.get((name, value), value),
                    url_with("/", page_params, remove=[(name, value)]),
                )
            )
    names = {n.id: n.name for n in gateway.directory.nodes}
    states = {n.id: n.state("metadata") for n in gateway.directory.nodes}
    view.node_names = names
    chosen = {v for k, v in page_params if k == "node"}
    for node_id, status in sorted((answer.get("nodes") or {}).items()):
        active = node_id in chosen
        change = {"remove": [("node", node_id)]} if active else {"add": [("node", node_id)]}
        view.nodes.append(
            NodeLine(
                id=node_id,
                name=names.get(node_id, node_id),
                status=status.get("status", "error"),
                ms=status.get("ms"),
                total=status.get("total"),
                reason=status.get("reason"),
                url=url_with("/", page_params, **change),
                active=active,
                registry_state=states.get(node_id),
            )
        )
    if answer.get("next_cursor"):
        view.next_url = url_with("/", page_params, add=[("cursor", answer["next_cursor"])])
    if any(k == "cursor" for k, _ in params):
        view.first_url = url_with("/", page_params)
    view.clear_url = url_with("/", [(k, v) for k, v in page_params if k in ("q", "sort")])
    return view

"""Federated search: fan the query out, merge what came back in time, say what happened."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from converge_common.errors import BadRequest, FieldError

from converge_gateway.context import Gateway
from converge_gateway.directory.schemas import NodeEntry
from converge_gateway.fanout.calls import get_from_node
from converge_gateway.fanout.engine import NodeAnswerInvalid, NodeResult
from converge_gateway.search.cursor import NodePosition, query_fingerprint
from converge_gateway.search.merge import NodePage, advance, merge_facets, merge_pages
from converge_gateway.search.schemas import FederatedSearchPage, NodeSearchPage, NodeStatus

# what a query parameter's name may be (anything else is refused, never passed on)
PARAMETER_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\[\]-]{0,63}$")

__all__ = ["SearchRequest", "federated_search", "select_nodes"]

# parameters the gateway answers itself; every other one goes to the Nodes unchanged
GATEWAY_PARAMS = frozenset({"node", "cursor", "limit"})
MAX_PARAMS = 40
MAX_VALUE = 1000


@dataclass(frozen=True)
class SearchRequest:
    params: tuple[tuple[str, str], ...]
    nodes: tuple[str, ...]
    limit: int
    cursor: str | None

    @property
    def order(self) -> str:
        """The Nodes' order: relevance with a query, else newest first (as a Node decides)."""
        query = any(k == "q" and v.strip() for k, v in self.params)
        sort = next((v for k, v in self.params if k == "sort"), None)
        if sort in ("date", "title") or (sort is None and not query):
            return sort or "date"
        return "relevance" if query else "date"

    @classmethod
    def from_query(
        cls, items: Sequence[tuple[str, str]], *, limit: int, max_limit: int
    ) -> SearchRequest:
        forwarded = [(k, v) for k, v in items if k not in GATEWAY_PARAMS]
        if len(forwarded) > MAX_PARAMS or any(
            len(v) > MAX_VALUE or len(k) > 64 for k, v in forwarded
        ):
            raise BadRequest(
                "Too many or too long query parameters",
                errors=[FieldError("/", "max_length", f"at most {MAX_PARAMS} parameters")],
            )
        _check_text(items)
        wanted = [n.strip() for k, v in items if k == "node" for n in v.split(",") if n.strip()]
        cursors = [v for k, v in items if k == "cursor"]
        if limit < 1:
            raise BadRequest(
                "limit must be at least 1", errors=[FieldError("/limit", "minimum", ">= 1")]
            )
        return cls(
            params=tuple(forwarded),
            nodes=tuple(dict.fromkeys(wanted)),
            limit=min(limit, max_limit),
            cursor=cursors[0] if cursors else None,
        )


def _check_text(items: Sequence[tuple[str, str]]) -> None:
    """The caller's own bad input is refused here, never passed on to count against a Node
    (text a database cannot hold was refused before, by ``converge_common.inputs``)."""
    for name, _ in items:
        if not PARAMETER_NAME.match(name):
            raise BadRequest(
                f"{name!r} is not a query parameter name",
                errors=[FieldError("/", "parameter_name", PARAMETER_NAME.pattern)],
            )


def select_nodes(gateway: Gateway, wanted: Sequence[str]) -> list[NodeEntry]:
    nodes = gateway.directory.nodes
    if not wanted:
        return nodes
    known = {n.id for n in nodes}
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise BadRequest(
            f"Unknown node(s): {', '.join(unknown)}",
            errors=[FieldError("/node", "enum", f"one of {', '.join(sorted(known)) or '(none)'}")],
        )
    return [n for n in nodes if n.id in set(wanted)]


def _parse(content: bytes) -> NodeSearchPage:
    try:
        return NodeSearchPage.model_validate_json(content)
    except ValueError as exc:
        raise NodeAnswerInvalid("malformed search answer") from exc


async def _ask(
    gateway: Gateway, node: NodeEntry, request: SearchRequest, position: NodePosition
) -> NodeSearchPage:
    node_limit = min(position.s + request.limit, gateway.settings.node_page_max)
    params = [*request.params, ("limit", str(node_limit))]
    if position.c:
        params.append(("cursor", position.c))
    if request.cursor and not any(k == "facets" for k, _ in request.params):
        params.append(("facets", "false"))
    response = await get_from_node(
        gateway.nodes_client,
        f"{node.metadata_url}/api/v1/search",
        params=params,
        limits=gateway.node_limits,
    )
    if not response.headers.get("content-type", "").startswith("application/json"):
        raise NodeAnswerInvalid("answer is not JSON")
    return _parse(response.content)


def _refused_by_all(results: dict[str, NodeResult[NodeSearchPage]]) -> None:
    called = [r for r in results.values() if r.status != "skipped"]
    refused = [r for r in called if r.http_status in (400, 422)]
    if called and len(refused) == len(called):
        raise BadRequest(
            f"The Nodes refused the query: {refused[0].reason}",
            errors=[FieldError("/", "query", refused[0].reason or "refused")],
        )


async def federated_search(gateway: Gateway, request: SearchRequest) -> dict[str, Any]:
    selected = select_nodes(gateway, request.nodes)
    fingerprint = query_fingerprint(request.params, [n.id for n in selected])
    key = (fingerprint, request.limit, request.cursor, gateway.directory.version)
    if (cached := gateway.cache.get(key)) is not None:
        gateway.fanout.metrics.cache.labels("hit").inc()
        return cached
    gateway.fanout.metrics.cache.labels("miss").inc()
    positions = gateway.cursor.decode(request.cursor, fingerprint) if request.cursor else {}
    position = {n.id: positions.get(n.id, NodePosition()) for n in selected}
    to_call = [n for n in selected if not position[n.id].d]

    async def call(node: NodeEntry) -> NodeSearchPage:
        return await _ask(gateway, node, request, position[node.id])

    results = await gateway.fanout.run(to_call, call, operation="search")
    _refused_by_all(results)
    answer = _assemble(gateway, request, selected, position, results)
    if all(r.status in ("ok", "skipped") for r in results.values()):
        gateway.cache.put(key, answer)
    return answer


def _assemble(
    gateway: Gateway,
    request: SearchRequest,
    selected: Sequence[NodeEntry],
    position: dict[str, NodePosition],
    results: dict[str, NodeResult[NodeSearchPage]],
) -> dict[str, Any]:
    pages = [
        NodePage(node.id, position[node.id], page, skip=min(position[node.id].s, len(page.items)))
        for node in selected
        if (r := results.get(node.id)) is not None
        and r.status == "ok"
        and (page := r.value) is not None
    ]
    merged = merge_pages(pages, limit=request.limit, k=gateway.settings.rrf_k, order=request.order)
    after = dict(position)
    statuses: dict[str, NodeStatus] = {}
    for entry in pages:
        after[entry.node] = advance(entry, merged.taken[entry.node])
    for node in selected:
        result = results.get(node.id)
        if result is None:
            statuses[node.id] = NodeStatus(
                status="skipped", reason="no more results", total=position[node.id].t
            )
        elif result.status == "ok" and result.value is not None:
            statuses[node.id] = NodeStatus(
                status="ok", ms=result.ms, count=merged.taken[node.id], total=result.value.total
            )
        else:
            statuses[node.id] = NodeStatus(status=result.status, ms=result.ms, reason=result.reason)
    totals = [after[n.id].t for n in selected if after[n.id].t is not None]
    more = any(not after[e.node].d for e in pages)
    answer = FederatedSearchPage(
        items=merged.items,
        next_cursor=gateway.cursor.encode(
            query_fingerprint(request.params, [n.id for n in selected]), after
        )
        if more
        else None,
        limit=request.limit,
        total=sum(t for t in totals if t is not None) if totals else None,
        facets=merge_facets([e.page.facets for e in pages]) if request.cursor is None else None,
        nodes=statuses,
        partial=any(
            s.status in ("timeout", "error")
            or (s.status == "skipped" and s.reason != "no more results")
            for s in statuses.values()
        ),
    )
    return answer.model_dump(mode="json")

"""Federated search: fan the query out, merge what came back in time, say what happened."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from converge_common.errors import BadRequest, FieldError, InvalidInput, json_pointer

from converge_gateway.context import Gateway
from converge_gateway.directory.schemas import NodeEntry
from converge_gateway.fanout.calls import get_from_node
from converge_gateway.fanout.engine import NodeAnswerInvalid, NodeResult
from converge_gateway.search.cursor import NodePosition, query_fingerprint
from converge_gateway.search.facets import (
    Completion,
    choose,
    completion_params,
    completions,
    finish,
    node_facet_size,
)
from converge_gateway.search.merge import NodePage, advance, merge_pages
from converge_gateway.search.schemas import (
    FACET_DIMENSIONS,
    FacetCount,
    FederatedSearchPage,
    NodeSearchPage,
    NodeStatus,
    SearchWarning,
)

__all__ = [
    "FORWARDED_PARAMS",
    "GATEWAY_PARAMS",
    "SearchRequest",
    "federated_search",
    "select_nodes",
]

# the Node search API's filters and sort, passed on to the Nodes as the caller wrote them
FORWARDED_PARAMS = frozenset(
    {
        "q",
        "type",
        "topic",
        "organism",
        "license",
        "access",
        "keyword",
        "language",
        "year_from",
        "year_to",
        "starts_from",
        "starts_to",
        "online",
        "level",
        "sort",
        "lang",
    }
)
# the parameters the gateway answers itself
GATEWAY_PARAMS = frozenset({"node", "cursor", "limit", "facets", "facet_size"})
MAX_PARAMS = 40
MAX_VALUE = 1000


def _facet_dimensions(facets: str | None) -> tuple[str, ...]:
    """``true`` or absent: every dimension; ``false``: none; else the named ones, in order."""
    if facets is None or facets.strip().lower() == "true":
        return FACET_DIMENSIONS
    if facets.strip().lower() == "false":
        return ()
    names = [n.strip() for n in facets.split(",") if n.strip()]
    wrong = [n for n in names if n not in FACET_DIMENSIONS]
    if wrong or not names:
        raise InvalidInput(
            f"facets: {', '.join(repr(n) for n in wrong) or 'nothing'} is not true, false or "
            "a list of dimensions",
            errors=[
                _query_error(
                    "/facets", "enum", "true, false or some of " + ", ".join(FACET_DIMENSIONS)
                )
            ],
        )
    return tuple(d for d in FACET_DIMENSIONS if d in names)


def _query_error(pointer: str, rule: str, detail: str) -> FieldError:
    error = FieldError(pointer, rule, detail)
    error["in"] = "query"
    return error


@dataclass(frozen=True)
class SearchRequest:
    params: tuple[tuple[str, str], ...]
    nodes: tuple[str, ...]
    limit: int
    cursor: str | None
    facet_dimensions: tuple[str, ...] = FACET_DIMENSIONS
    facet_size: int = 10
    warnings: tuple[SearchWarning, ...] = ()

    @property
    def order(self) -> str:
        """The Nodes' order: relevance with a query, else newest first (as a Node decides)."""
        query = any(k == "q" and v.strip() for k, v in self.params)
        sort = next((v for k, v in self.params if k == "sort"), None)
        if sort in ("date", "title", "start") or (sort is None and not query):
            return sort or "date"
        return "relevance" if query else "date"

    @classmethod
    def from_query(
        cls,
        items: Sequence[tuple[str, str]],
        *,
        limit: int,
        max_limit: int,
        facets: str | None = None,
        facet_size: int = 10,
    ) -> SearchRequest:
        _check_names(items)
        forwarded = [(k, v) for k, v in items if k in FORWARDED_PARAMS]
        if len(forwarded) > MAX_PARAMS or any(len(v) > MAX_VALUE for _, v in forwarded):
            raise InvalidInput(
                "Too many or too long query parameters",
                errors=[_query_error("/", "max_items", f"at most {MAX_PARAMS} filter values")],
            )
        wanted = [n.strip() for k, v in items if k == "node" for n in v.split(",") if n.strip()]
        cursors = [v for k, v in items if k == "cursor"]
        if limit < 1:
            raise InvalidInput(
                "limit must be at least 1", errors=[_query_error("/limit", "minimum", ">= 1")]
            )
        warnings = []
        if limit > max_limit:
            warnings.append(
                SearchWarning(
                    pointer="/limit",
                    rule="maximum",
                    detail=f"capped at {max_limit} (asked {limit})",
                )
            )
        return cls(
            params=tuple(forwarded),
            nodes=tuple(dict.fromkeys(wanted)),
            limit=min(limit, max_limit),
            cursor=cursors[0] if cursors else None,
            facet_dimensions=_facet_dimensions(facets),
            facet_size=facet_size,
            warnings=tuple(warnings),
        )


def _check_names(items: Sequence[tuple[str, str]]) -> None:
    """A parameter the search does not take is refused, as a Node's validation would refuse
    an unknown field (a misspelt filter would otherwise widen the search unnoticed)."""
    known = FORWARDED_PARAMS | GATEWAY_PARAMS
    unknown = list(dict.fromkeys(name for name, _ in items if name not in known))
    if unknown:
        shown = [n[:64] for n in unknown[:10]]
        raise InvalidInput(
            f"Unknown query parameter(s): {', '.join(shown)}",
            errors=[
                _query_error(json_pointer([n]), "no_additional_properties", "not a parameter")
                for n in shown
            ],
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


def _node_facet_params(gateway: Gateway, request: SearchRequest) -> list[tuple[str, str]]:
    # continuation pages, and callers who want none, ask without facets: a Node need not count
    if request.cursor or not request.facet_dimensions:
        return [("facets", "false")]
    size = node_facet_size(
        request.facet_size,
        factor=gateway.settings.facet_node_factor,
        extra=gateway.settings.facet_node_extra,
    )
    return [("facets", "true"), ("facet_size", str(size))]


async def _node_search(
    gateway: Gateway, node: NodeEntry, params: Sequence[tuple[str, str]]
) -> NodeSearchPage:
    response = await get_from_node(
        gateway.nodes_client,
        f"{node.metadata_url}/api/v1/search",
        params=list(params),
        limits=gateway.node_limits,
    )
    if not response.headers.get("content-type", "").startswith("application/json"):
        raise NodeAnswerInvalid("answer is not JSON")
    return _parse(response.content)


async def _ask(
    gateway: Gateway, node: NodeEntry, request: SearchRequest, position: NodePosition
) -> NodeSearchPage:
    node_limit = min(position.shown + request.limit, gateway.settings.node_page_max)
    params = [*request.params, ("limit", str(node_limit)), *_node_facet_params(gateway, request)]
    if position.node_cursor:
        params.append(("cursor", position.node_cursor))
    return await _node_search(gateway, node, params)


def _refused_by_all(results: dict[str, NodeResult[NodeSearchPage]]) -> None:
    """When the Nodes that answered all refused the query as the caller's mistake (the others
    failed or were too slow), the first refusal is the gateway's answer: the same status,
    pointers and rules as the Node's."""
    refused = [r for r in results.values() if r.http_status in (400, 422)]
    if refused and not any(r.status == "ok" for r in results.values()):
        first = refused[0]
        errors = [FieldError(e["pointer"], e["rule"], e["detail"]) for e in first.errors]
        for error, given in zip(errors, first.errors, strict=True):
            if "in" in given:
                error["in"] = given["in"]
        problem = InvalidInput if first.http_status == 422 else BadRequest
        raise problem(
            f"The Nodes refused the query: {first.reason}",
            errors=errors or [FieldError("/", "query", first.reason or "refused")],
        )


async def _complete_facets(
    gateway: Gateway,
    request: SearchRequest,
    selected: Sequence[NodeEntry],
    results: dict[str, NodeResult[NodeSearchPage]],
    *,
    started: float,
) -> dict[str, list[FacetCount]] | None:
    """The facets of the first page: the values to show, each count completed at the Nodes
    that may have left it out of their lists (see :mod:`converge_gateway.search.facets`)."""
    if request.cursor or not request.facet_dimensions:
        return None
    answers = {
        node: r.value.facets
        for node, r in results.items()
        if r.status == "ok" and r.value is not None
    }
    settings = gateway.settings
    chosen = choose(
        answers,
        dimensions=request.facet_dimensions,
        asked=node_facet_size(
            request.facet_size, factor=settings.facet_node_factor, extra=settings.facet_node_extra
        ),
        shown=request.facet_size,
    )
    wanted = completions(chosen, request.params, max_calls=settings.facet_completion_max_calls)
    remaining = gateway.fanout.deadline_s - (time.perf_counter() - started)
    if not wanted or remaining <= 0:
        return finish(chosen, {})
    by_node: dict[str, list[Completion]] = {}
    for completion in wanted:
        by_node.setdefault(completion.node, []).append(completion)

    async def count(completion: Completion) -> int:
        params = completion_params(request.params, completion) or []
        node = next(n for n in selected if n.id == completion.node)
        page = await _node_search(
            gateway, node, [*params, ("limit", "1"), ("facets", "true"), ("facet_size", "1")]
        )
        if page.total is None:
            raise NodeAnswerInvalid("search answer without total")
        return page.total

    async def call(node: NodeEntry) -> list[int]:
        return list(await asyncio.gather(*(count(c) for c in by_node[node.id])))

    nodes = [n for n in selected if n.id in by_node]
    counted = await gateway.fanout.run(nodes, call, operation="search_facets", deadline_s=remaining)
    completed: dict[Completion, int] = {}
    for node_id, result in counted.items():
        if result.status == "ok" and result.value is not None:
            completed.update(zip(by_node[node_id], result.value, strict=True))
    return finish(chosen, completed)


async def federated_search(gateway: Gateway, request: SearchRequest) -> dict[str, Any]:
    started = time.perf_counter()
    selected = select_nodes(gateway, request.nodes)
    fingerprint = query_fingerprint(request.params, [n.id for n in selected])
    key = (
        fingerprint,
        request.limit,
        request.cursor,
        request.facet_dimensions,
        request.facet_size,
        gateway.directory.version,
    )
    if (cached := gateway.cache.get(key)) is not None:
        gateway.fanout.metrics.cache.labels("hit").inc()
        return {**cached, "warnings": [w.model_dump() for w in request.warnings]}
    gateway.fanout.metrics.cache.labels("miss").inc()
    positions = gateway.cursor.decode(request.cursor, fingerprint) if request.cursor else {}
    position = {n.id: positions.get(n.id, NodePosition()) for n in selected}
    to_call = [n for n in selected if not position[n.id].done]

    async def call(node: NodeEntry) -> NodeSearchPage:
        return await _ask(gateway, node, request, position[node.id])

    results = await gateway.fanout.run(to_call, call, operation="search")
    _refused_by_all(results)
    facets = await _complete_facets(gateway, request, selected, results, started=started)
    answer = _assemble(gateway, request, selected, position, results, facets)
    if all(r.status in ("ok", "skipped") for r in results.values()) and all(
        f.exact for values in (facets or {}).values() for f in values
    ):
        gateway.cache.put(key, answer)
    return answer


def _assemble(
    gateway: Gateway,
    request: SearchRequest,
    selected: Sequence[NodeEntry],
    position: dict[str, NodePosition],
    results: dict[str, NodeResult[NodeSearchPage]],
    facets: dict[str, list[FacetCount]] | None,
) -> dict[str, Any]:
    pages = [
        NodePage(
            node.id, position[node.id], page, skip=min(position[node.id].shown, len(page.items))
        )
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
                status="skipped", reason="no more results", total=position[node.id].total
            )
        elif result.status == "ok" and result.value is not None:
            statuses[node.id] = NodeStatus(
                status="ok", ms=result.ms, count=merged.taken[node.id], total=result.value.total
            )
        else:
            statuses[node.id] = NodeStatus(status=result.status, ms=result.ms, reason=result.reason)
    totals = [after[n.id].total for n in selected if after[n.id].total is not None]
    more = any(not after[e.node].done for e in pages)
    warnings = list(request.warnings)
    next_cursor = None
    if more:
        fingerprint = query_fingerprint(request.params, [n.id for n in selected])
        next_cursor = gateway.cursor.encode(fingerprint, after)
        if next_cursor is None:
            warnings.append(
                SearchWarning(
                    pointer="/cursor",
                    rule="max_length",
                    detail="the Nodes' positions are too long to carry in a cursor: this is "
                    "the last page; narrow the query or choose fewer Nodes (node=)",
                )
            )
    answer = FederatedSearchPage(
        items=merged.items,
        next_cursor=next_cursor,
        limit=request.limit,
        total=sum(t for t in totals if t is not None) if totals else None,
        facets=facets,
        nodes=statuses,
        partial=any(
            s.status in ("timeout", "error")
            or (s.status == "skipped" and s.reason != "no more results")
            for s in statuses.values()
        ),
        warnings=warnings,
    )
    return answer.model_dump(mode="json")

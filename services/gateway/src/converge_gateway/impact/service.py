"""Federated impact: ask every Node's impact service at once, combine by each indicator's rule.

The fan-out, deadline, breakers and metrics are federated search's (``FanOut`` with
``service="impact"``: a Node's impact service has its own breaker). A Node is *expected* to
answer when it is an accepted member with an impact service registered; ``partial`` is true
when an expected Node did not contribute. Nodes without an impact service, or not accepted,
are listed ``skipped`` and do not make an answer partial: the federation expects no figures
from them.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from converge_common.errors import FieldError, InvalidInput, NotFound, ServiceUnavailable

from converge_gateway.context import Gateway
from converge_gateway.directory.schemas import NodeEntry
from converge_gateway.fanout.engine import NodeResult
from converge_gateway.impact.answers import NodeIndicator, NodeValue
from converge_gateway.impact.combine import Agreement, agree, combine
from converge_gateway.impact.nodes import (
    NodeProfileAnswer,
    NodeSeriesAnswer,
    ask_catalogue,
    ask_profile,
    ask_series,
)
from converge_gateway.impact.periods import (
    GRANULARITY_EXAMPLES,
    Granularity,
    granularity_of,
    period_key,
)
from converge_gateway.impact.schemas import (
    PATHWAYS,
    FederatedIndicator,
    FederatedProfile,
    FederatedSeries,
    IndicatorCatalogue,
    NodeOutcomeRead,
    ProfileIndicator,
    ProfilePathway,
    SeriesPoint,
)
from converge_gateway.search.service import select_nodes

__all__ = [
    "SeriesRequest",
    "federated_catalogue",
    "federated_profile",
    "federated_series",
    "wanted_nodes",
]

MAX_NODES = 200


def _query_error(name: str, rule: str, message: str) -> InvalidInput:
    error = FieldError(f"/{name}", rule, message)
    error["in"] = "query"
    return InvalidInput(f"/{name} ({rule}): {message}", errors=[error])


def wanted_nodes(values: Sequence[str] | None) -> tuple[str, ...]:
    """``node=de,fi`` or ``node=de&node=fi``, as in federated search."""
    wanted = [n.strip() for value in values or () for n in value.split(",") if n.strip()]
    if len(wanted) > MAX_NODES:
        raise _query_error("node", "max_items", f"at most {MAX_NODES} Nodes")
    return tuple(dict.fromkeys(wanted))


@dataclass(frozen=True)
class SeriesRequest:
    code: str
    granularity: Granularity
    start: str | None
    end: str | None

    @classmethod
    def checked(
        cls, code: str, *, granularity: Granularity, start: str | None, end: str | None
    ) -> SeriesRequest:
        """The range must be written in the granularity asked for, and not end before it
        starts."""
        for name, value in (("from", start), ("to", end)):
            if value is not None and granularity_of(value) != granularity:
                raise _query_error(name, "pattern", GRANULARITY_EXAMPLES[granularity])
        if start and end and period_key(start) > period_key(end):
            raise _query_error("to", "minimum", "must not be before `from`")
        return cls(code=code, granularity=granularity, start=start, end=end)


def _expected(node: NodeEntry) -> bool:
    return node.status == "accepted" and node.impact_url is not None


def _outcome(result: NodeResult[Any], **extra: Any) -> NodeOutcomeRead:
    return NodeOutcomeRead(
        node=result.node, status=result.status, took_ms=result.ms, reason=result.reason, **extra
    )


def _partial(selected: Sequence[NodeEntry], outcomes: Sequence[NodeOutcomeRead]) -> bool:
    status = {o.node: o.status for o in outcomes}
    return any(_expected(n) and status[n.id] != "ok" for n in selected)


def _refused_by_all(results: dict[str, NodeResult[Any]]) -> None:
    """When every Node called refuses the request (400, 422), the caller asked for something
    no Node serves: a 422 with the Nodes' reason, not a page of errors."""
    called = [r for r in results.values() if r.status != "skipped"]
    if called and all(r.http_status in (400, 422) for r in called):
        reason = called[0].reason or "refused"
        raise InvalidInput(
            f"The Nodes refused the request: {reason}",
            errors=[FieldError("/", "refused_by_nodes", reason)],
        )


def _cacheable(results: dict[str, NodeResult[Any]]) -> bool:
    return all(r.status in ("ok", "skipped") for r in results.values())


def _cached(gateway: Gateway, key: Hashable) -> dict[str, Any] | None:
    cached = gateway.impact_cache.get(key)
    gateway.fanout.metrics.impact_cache.labels("miss" if cached is None else "hit").inc()
    return cached


def _answered(results: dict[str, NodeResult[Any]]) -> dict[str, Any]:
    return {n: r.value for n, r in results.items() if r.status == "ok" and r.value is not None}


def _federated(agreement: Agreement) -> FederatedIndicator:
    return FederatedIndicator(
        **agreement.definition.model_dump(),
        nodes=agreement.nodes,
        conflicts=agreement.conflicts,
    )


async def federated_catalogue(gateway: Gateway, wanted: Sequence[str]) -> dict[str, Any]:
    selected = select_nodes(gateway, wanted)
    key = ("catalogue", tuple(n.id for n in selected), gateway.directory.version)
    if (cached := _cached(gateway, key)) is not None:
        return cached

    async def call(node: NodeEntry) -> dict[str, NodeIndicator]:
        return await ask_catalogue(gateway, node)

    results = await gateway.fanout.run(
        selected, call, operation="impact_indicators", service="impact"
    )
    _refused_by_all(results)
    catalogues: dict[str, dict[str, NodeIndicator]] = _answered(results)
    items: list[FederatedIndicator] = []
    conflicts: dict[str, list[str]] = {}
    for code in sorted({code for catalogue in catalogues.values() for code in catalogue}):
        agreement = agree({n: c[code] for n, c in catalogues.items() if code in c})
        items.append(_federated(agreement))
        for node in agreement.conflicts:
            conflicts.setdefault(node, []).append(code)
    outcomes = [
        _outcome(
            result,
            indicators=len(catalogues[node]) if node in catalogues else None,
            conflicts=conflicts.get(node, []),
        )
        for node, result in results.items()
    ]
    answer = IndicatorCatalogue(
        items=items, partial=_partial(selected, outcomes), nodes=outcomes
    ).model_dump(mode="json")
    if _cacheable(results):
        gateway.impact_cache.put(key, answer)
    return answer


async def federated_series(
    gateway: Gateway, request: SeriesRequest, wanted: Sequence[str]
) -> dict[str, Any]:
    selected = select_nodes(gateway, wanted)
    key = ("series", request, tuple(n.id for n in selected), gateway.directory.version)
    if (cached := _cached(gateway, key)) is not None:
        return cached

    async def call(node: NodeEntry) -> NodeSeriesAnswer:
        return await ask_series(
            gateway,
            node,
            code=request.code,
            granularity=request.granularity,
            start=request.start,
            end=request.end,
        )

    results = await gateway.fanout.run(selected, call, operation="impact_series", service="impact")
    _refused_by_all(results)
    answers: dict[str, NodeSeriesAnswer] = _answered(results)
    defining = {n: a.definition for n, a in answers.items() if a.definition is not None}
    if not defining:
        _nobody_defines(request.code, selected, results, gateway)
    agreement = agree(defining)
    by_period: dict[str, dict[str, NodeValue]] = {}
    for node in agreement.nodes:
        for period, value in answers[node].values.items():
            by_period.setdefault(period, {})[node] = value
    rule = agreement.definition.combine_nodes
    points = []
    for period in sorted(by_period, key=period_key):
        combined = combine(rule, by_period[period])
        points.append(
            SeriesPoint(
                period=period,
                value=combined.value,
                nodes=combined.nodes,
                latest_node=combined.latest_node,
            )
        )
    outcomes = [_series_outcome(r, answers.get(n), agreement) for n, r in results.items()]
    answer = FederatedSeries(
        indicator=_federated(agreement),
        granularity=request.granularity,
        points=points,
        partial=_partial(selected, outcomes),
        nodes=outcomes,
    ).model_dump(mode="json")
    if _cacheable(results):
        gateway.impact_cache.put(key, answer)
    return answer


def _series_outcome(
    result: NodeResult[NodeSeriesAnswer], answer: NodeSeriesAnswer | None, agreement: Agreement
) -> NodeOutcomeRead:
    if answer is None:
        return _outcome(result)
    if answer.definition is None:
        return _outcome(result, defined=False, points=0)
    points = len(answer.values)
    if result.node in agreement.conflicts:
        # it answered, but its figures mean something else: left out, as if it had failed
        return NodeOutcomeRead(
            node=result.node,
            status="error",
            took_ms=result.ms,
            reason=agreement.conflicts[result.node],
            defined=True,
            points=points,
            conflicts=[agreement.definition.code],
        )
    return _outcome(result, defined=True, points=points)


def _nobody_defines(
    code: str,
    selected: Sequence[NodeEntry],
    results: dict[str, NodeResult[Any]],
    gateway: Gateway,
) -> NoReturn:
    silent = [n.id for n in selected if _expected(n) and results[n.id].status != "ok"]
    if silent:
        raise ServiceUnavailable(
            f"No Node that answered defines the indicator {code!r}, and "
            f"{', '.join(silent)} did not answer",
            headers={"Retry-After": str(int(gateway.settings.breaker_open_s))},
        )
    raise NotFound(f"No Node defines the indicator {code!r}")


async def federated_profile(gateway: Gateway, period: str, wanted: Sequence[str]) -> dict[str, Any]:
    selected = select_nodes(gateway, wanted)
    key = ("profile", period, tuple(n.id for n in selected), gateway.directory.version)
    if (cached := _cached(gateway, key)) is not None:
        return cached

    async def call(node: NodeEntry) -> NodeProfileAnswer:
        return await ask_profile(gateway, node, period=period)

    results = await gateway.fanout.run(selected, call, operation="impact_profile", service="impact")
    _refused_by_all(results)
    answers: dict[str, NodeProfileAnswer] = _answered(results)
    by_pathway: dict[str, list[ProfileIndicator]] = {}
    conflicts: dict[str, list[str]] = {}
    for code in sorted({code for a in answers.values() for code in a.values}):
        # every Node defining the indicator has a say in its definition, valued or not
        agreement = agree({n: a.catalogue[code] for n, a in answers.items() if code in a.catalogue})
        left_out = {n: why for n, why in agreement.conflicts.items() if code in answers[n].values}
        for node in left_out:
            conflicts.setdefault(node, []).append(code)
        valued = {n: answers[n].values[code] for n in agreement.nodes if code in answers[n].values}
        if not valued:
            continue
        definition = agreement.definition
        combined = combine(definition.combine_nodes, valued)
        by_pathway.setdefault(definition.pathway, []).append(
            ProfileIndicator(
                code=code,
                name=definition.name,
                unit=definition.unit,
                combine_nodes=definition.combine_nodes,
                value=combined.value,
                nodes=combined.nodes,
                latest_node=combined.latest_node,
                conflicts=left_out,
            )
        )
    outcomes = [
        _outcome(
            result,
            indicators=len(answers[node].values) if node in answers else None,
            conflicts=conflicts.get(node, []),
        )
        for node, result in results.items()
    ]
    answer = FederatedProfile(
        period=period,
        pathways=[
            ProfilePathway(pathway=pathway, indicators=by_pathway.get(pathway, []))
            for pathway in PATHWAYS
        ],
        partial=_partial(selected, outcomes) or bool(conflicts),
        nodes=outcomes,
    ).model_dump(mode="json")
    if _cacheable(results):
        gateway.impact_cache.put(key, answer)
    return answer

"""What the gateway asks one Node's impact service, and what it keeps of the answers.

Each function is one Node's whole share of a federated request (run by the fan-out under
the per-Node timeout); it raises on anything the gateway does not accept.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from converge_gateway.context import Gateway
from converge_gateway.directory.schemas import NodeEntry
from converge_gateway.fanout.calls import get_from_node
from converge_gateway.fanout.engine import NodeAnswerInvalid
from converge_gateway.impact.answers import (
    MAX_INDICATORS,
    NodeIndicator,
    NodeIndicatorPage,
    NodeProfile,
    NodeSeries,
    NodeValue,
    check_profile,
    check_series,
    parse_answer,
)
from converge_gateway.impact.periods import Granularity, granularity_of

__all__ = ["NodeProfileAnswer", "NodeSeriesAnswer", "ask_catalogue", "ask_profile", "ask_series"]

A = TypeVar("A")
B = TypeVar("B")
# a catalogue longer than this many pages is not one the gateway reads
MAX_PAGES = 50
# profile values of rule ``latest`` whose time the gateway asks a Node for (more: undated)
MAX_DATED = 20


@dataclass(frozen=True)
class NodeSeriesAnswer:
    """``definition`` is None when the Node does not define the indicator."""

    definition: NodeIndicator | None
    values: dict[str, NodeValue]


@dataclass(frozen=True)
class NodeProfileAnswer:
    catalogue: dict[str, NodeIndicator]
    values: dict[str, NodeValue]


def _base(node: NodeEntry) -> str:
    if node.impact_url is None:  # the fan-out calls only Nodes with an impact service
        raise NodeAnswerInvalid("no impact service")
    return f"{node.impact_url}/api/v1"


async def _both(first: Coroutine[Any, Any, A], second: Coroutine[Any, Any, B]) -> tuple[A, B]:
    """Both at once; the first failure cancels the other and is raised as it is."""
    try:
        async with asyncio.TaskGroup() as group:
            one, two = group.create_task(first), group.create_task(second)
    except ExceptionGroup as failures:
        raise failures.exceptions[0] from None
    return one.result(), two.result()


async def _all(calls: Sequence[Coroutine[Any, Any, A]]) -> list[A]:
    """All at once; the first failure cancels the others and is raised as it is."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(call) for call in calls]
    except ExceptionGroup as failures:
        raise failures.exceptions[0] from None
    return [task.result() for task in tasks]


async def ask_catalogue(gateway: Gateway, node: NodeEntry) -> dict[str, NodeIndicator]:
    """The Node's whole indicator catalogue, following its pages."""
    url = f"{_base(node)}/indicators"
    found: dict[str, NodeIndicator] = {}
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        params = [("limit", str(gateway.settings.node_page_max))]
        if cursor:
            params.append(("cursor", cursor))
        response = await get_from_node(
            gateway.nodes_client, url, params=params, limits=gateway.node_limits
        )
        page = parse_answer(response, NodeIndicatorPage, "indicator list")
        for indicator in page.items:
            if indicator.code in found:
                raise NodeAnswerInvalid(f"indicator {indicator.code} listed twice")
            found[indicator.code] = indicator
        if len(found) > MAX_INDICATORS:
            raise NodeAnswerInvalid("answer too large")
        cursor = page.next_cursor
        if not cursor:
            return found
    raise NodeAnswerInvalid("indicator list does not end")


def _series_params(
    granularity: Granularity, start: str | None, end: str | None
) -> list[tuple[str, str]]:
    params: list[tuple[str, str]] = [("granularity", granularity)]
    return params + [(name, value) for name, value in (("from", start), ("to", end)) if value]


async def ask_series(
    gateway: Gateway,
    node: NodeEntry,
    *,
    code: str,
    granularity: Granularity,
    start: str | None,
    end: str | None,
) -> NodeSeriesAnswer:
    """The Node's definition of the indicator and its values in the range, asked at once."""
    url = f"{_base(node)}/indicators/{code}"
    found = (200, 404)
    client, limits = gateway.nodes_client, gateway.node_limits
    definition_response, series_response = await _both(
        get_from_node(client, url, limits=limits, ok_statuses=found),
        get_from_node(
            client,
            f"{url}/series",
            params=_series_params(granularity, start, end),
            limits=limits,
            ok_statuses=found,
        ),
    )
    if definition_response.status_code == 404:
        return NodeSeriesAnswer(definition=None, values={})
    definition = parse_answer(definition_response, NodeIndicator, "indicator")
    if definition.code != code:
        raise NodeAnswerInvalid(f"definition of another indicator ({definition.code})")
    if series_response.status_code == 404:
        raise NodeAnswerInvalid("indicator defined but its series not found")
    series = parse_answer(series_response, NodeSeries, "series")
    values = check_series(
        series, code=code, granularity=granularity, unit=definition.unit, start=start, end=end
    )
    return NodeSeriesAnswer(definition=definition, values=values)


async def ask_profile(gateway: Gateway, node: NodeEntry, *, period: str) -> NodeProfileAnswer:
    """The Node's profile for the period, with its catalogue (the profile does not say how
    its values combine)."""
    response, catalogue = await _both(
        get_from_node(
            gateway.nodes_client,
            f"{_base(node)}/profile",
            params=[("period", period)],
            limits=gateway.node_limits,
        ),
        ask_catalogue(gateway, node),
    )
    profile = parse_answer(response, NodeProfile, "profile")
    values = check_profile(profile, period=period, catalogue=catalogue)
    undated = [
        code
        for code, value in values.items()
        if value.at is None and catalogue[code].combine_nodes == "latest"
    ]
    if undated:
        values |= await _dated(gateway, node, period, undated[:MAX_DATED], catalogue, values)
    return NodeProfileAnswer(catalogue=catalogue, values=values)


async def _dated(
    gateway: Gateway,
    node: NodeEntry,
    period: str,
    codes: Sequence[str],
    catalogue: Mapping[str, NodeIndicator],
    values: Mapping[str, NodeValue],
) -> dict[str, NodeValue]:
    """When the profile's values of rule ``latest`` were established, from the Node's series
    of that one period (the contract's profile carries no times; a series does)."""
    granularity = granularity_of(period)
    if granularity is None:  # the endpoint accepts only periods
        raise ValueError(f"not a period: {period!r}")
    params = _series_params(granularity, period, period)
    responses = await _all(
        [
            get_from_node(
                gateway.nodes_client,
                f"{_base(node)}/indicators/{code}/series",
                params=params,
                limits=gateway.node_limits,
            )
            for code in codes
        ]
    )
    dated: dict[str, NodeValue] = {}
    for code, response in zip(codes, responses, strict=True):
        series = parse_answer(response, NodeSeries, "series")
        unit = catalogue[code].unit
        points = check_series(
            series, code=code, granularity=granularity, unit=unit, start=period, end=period
        )
        if period in points:
            dated[code] = NodeValue(values[code].value, points[period].at)
    return dated

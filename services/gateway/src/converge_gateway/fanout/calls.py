"""One guarded, capped, anonymous GET to a Node, turned into a value or a typed failure."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
from converge_common.http import HttpLimits, fetch

from converge_gateway.fanout.engine import NodeAnswerInvalid, NodeRejected

__all__ = ["get_from_node", "problem_detail"]


def problem_detail(response: httpx.Response) -> str:
    try:
        body: Any = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return response.reason_phrase or "refused"
    if isinstance(body, dict):
        return str(body.get("detail") or body.get("title") or "refused")[:300]
    return "refused"


async def get_from_node(
    client: httpx.AsyncClient,
    url: str,
    *,
    limits: HttpLimits,
    params: list[tuple[str, str]] | dict[str, str] | None = None,
    accept: str = "application/json",
    ok_statuses: tuple[int, ...] = (200,),
) -> httpx.Response:
    """The Node's answer; a 4xx is :class:`NodeRejected`, anything else unexpected is invalid.

    No ``Authorization`` header is ever sent: the gateway calls Nodes anonymously.
    """
    response = await fetch(
        client, "GET", url, params=params, headers={"Accept": accept}, limits=limits, retries=0
    )
    if response.status_code in ok_statuses:
        return response
    if 400 <= response.status_code < 500:
        raise NodeRejected(response.status_code, problem_detail(response))
    raise NodeAnswerInvalid(f"HTTP {response.status_code}")

"""One guarded, capped, anonymous GET to a Node, turned into a value or a typed failure."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
from converge_common.http import HttpLimits, fetch

from converge_gateway.fanout.engine import NodeAnswerInvalid, NodeRejected

__all__ = ["get_from_node", "problem_detail", "problem_errors"]

MAX_ERRORS = 20
_ERROR_MEMBERS = {"pointer": 300, "rule": 100, "detail": 300}
_LOCATIONS = frozenset({"query", "path", "header", "cookie"})


def _body(response: httpx.Response) -> Any:
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return None


def problem_detail(response: httpx.Response) -> str:
    body = _body(response)
    if body is None:
        return response.reason_phrase or "refused"
    if isinstance(body, dict):
        return str(body.get("detail") or body.get("title") or "refused")[:300]
    return "refused"


def problem_errors(response: httpx.Response) -> list[dict[str, str]]:
    """The fields a Node's problem names, each a pointer, a rule and a detail (strings, bounded);
    anything else in ``errors`` is dropped."""
    body = _body(response)
    raw = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(raw, list):
        return []
    out: list[dict[str, str]] = []
    for item in raw[:MAX_ERRORS]:
        if not isinstance(item, dict):
            continue
        values = {key: item.get(key) for key in _ERROR_MEMBERS}
        if not all(isinstance(v, str) for v in values.values()):
            continue
        error = {key: str(values[key])[:size] for key, size in _ERROR_MEMBERS.items()}
        if not error["pointer"].startswith("/"):
            continue
        if item.get("in") in _LOCATIONS:
            error["in"] = str(item["in"])
        out.append(error)
    return out


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
        raise NodeRejected(response.status_code, problem_detail(response), problem_errors(response))
    raise NodeAnswerInvalid(f"HTTP {response.status_code}")

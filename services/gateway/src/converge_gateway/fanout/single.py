"""One call to one Node with the same guard rails as a fan-out: breaker, metrics, deadline."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from converge_common.errors import NotFound, ProblemError, ServiceUnavailable

from converge_gateway.context import Gateway
from converge_gateway.directory.schemas import NodeEntry

__all__ = ["BadGateway", "GatewayTimeout", "NotAcceptable", "call_node", "known_node"]

T = TypeVar("T")


class BadGateway(ProblemError):
    status, title, slug = 502, "Bad Gateway", "bad-gateway"


class NotAcceptable(ProblemError):
    status, title, slug = 406, "Not Acceptable", "not-acceptable"


class GatewayTimeout(ProblemError):
    status, title, slug = 504, "Gateway Timeout", "gateway-timeout"


def known_node(gateway: Gateway, node_id: str) -> NodeEntry:
    node = gateway.directory.get(node_id)
    if node is None or node.status != "accepted":
        raise NotFound(f"No Node {node_id!r} in the federation")
    return node


async def call_node(
    gateway: Gateway,
    node: NodeEntry,
    call: Callable[[NodeEntry], Awaitable[T]],
    *,
    operation: str,
) -> T:
    """The Node's value, or a problem that says why there is none (503, 504, 502)."""
    result = (await gateway.fanout.run([node], call, operation=operation))[node.id]
    if result.status == "ok" and result.value is not None:
        return result.value
    if result.status == "skipped":
        raise ServiceUnavailable(
            f"Node {node.id} is not answering now ({result.reason})",
            headers={"Retry-After": str(int(gateway.settings.breaker_open_s))},
            node=node.id,
        )
    if result.status == "timeout":
        raise GatewayTimeout(f"Node {node.id} did not answer in time", node=node.id)
    raise BadGateway(f"Node {node.id} failed: {result.reason}", node=node.id)

"""A record fetched from its Node, in whichever representation the caller negotiated."""

from __future__ import annotations

import httpx
from converge_common.errors import NotFound

from converge_gateway.context import Gateway
from converge_gateway.directory.schemas import NodeEntry
from converge_gateway.fanout.calls import get_from_node
from converge_gateway.fanout.single import call_node, known_node

__all__ = ["PASSED_HEADERS", "fetch_record"]

# the Node's own answers about the record, passed on as they are
NODE_STATUSES = (200, 400, 404, 406, 410, 422)
PASSED_HEADERS = ("content-type", "etag", "last-modified", "vary", "link", "content-language")


def split_global_id(global_id: str) -> tuple[str, str]:
    node_id, sep, local_id = global_id.partition(":")
    if not sep or not node_id or not local_id:
        raise NotFound(f"{global_id!r} is not a federation record id ({{node}}:{{id}})")
    return node_id, local_id


async def fetch_record(
    gateway: Gateway, global_id: str, *, accept: str | None, format_param: str | None
) -> httpx.Response:
    node_id, local_id = split_global_id(global_id)
    node = known_node(gateway, node_id)

    async def call(target: NodeEntry) -> httpx.Response:
        return await get_from_node(
            gateway.nodes_client,
            f"{target.metadata_url}/api/v1/records/{local_id}",
            params=[("format", format_param)] if format_param else None,
            accept=accept or "application/json",
            limits=gateway.node_limits,
            ok_statuses=NODE_STATUSES,
        )

    return await call_node(gateway, node, call, operation="record")

"""A record fetched from its Node, in whichever representation the caller negotiated."""

from __future__ import annotations

import httpx
from converge_common.errors import NotFound

from converge_gateway.context import Gateway
from converge_gateway.directory.schemas import NodeEntry
from converge_gateway.fanout.calls import get_from_node
from converge_gateway.fanout.single import NotAcceptable, call_node, known_node
from converge_gateway.records.representations import (
    FORMAT_ALIASES,
    NODE_STATUSES,
    REPRESENTATIONS,
    RecordAnswer,
    check_record_answer,
    choose_representation,
)

__all__ = ["fetch_record"]


def split_global_id(global_id: str) -> tuple[str, str]:
    node_id, sep, local_id = global_id.partition(":")
    if not sep or not node_id or not local_id:
        raise NotFound(f"{global_id!r} is not a federation record id ({{node}}:{{id}})")
    return node_id, local_id


async def fetch_record(
    gateway: Gateway, global_id: str, *, accept: str | None, format_param: str | None, path: str
) -> RecordAnswer:
    media = choose_representation(accept=accept, format_param=format_param)
    # refused here: the Node is never asked for what the gateway would not pass on
    if media is None and format_param:
        # in the Node's words for the same mistake (its records endpoint takes the same names)
        raise NotAcceptable(
            f"format must be one of {', '.join(FORMAT_ALIASES)} or one of their media types",
            parameter="format",
        )
    if media is None:
        raise NotAcceptable("Available: " + ", ".join(REPRESENTATIONS))
    node_id, local_id = split_global_id(global_id)
    node = known_node(gateway, node_id)

    async def call(target: NodeEntry) -> RecordAnswer:
        response: httpx.Response = await get_from_node(
            gateway.nodes_client,
            f"{target.metadata_url}/api/v1/records/{local_id}",
            accept=media,
            limits=gateway.node_limits,
            ok_statuses=NODE_STATUSES,
        )
        return await check_record_answer(response, media=media, local_id=local_id, path=path)

    return await call_node(gateway, node, call, operation="record")

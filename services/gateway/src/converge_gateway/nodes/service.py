"""The gateway's view of the federation, for operators and portals."""

from __future__ import annotations

from datetime import UTC, datetime

from converge_gateway.context import Gateway
from converge_gateway.nodes.schemas import DirectoryRead, NodeView

__all__ = ["read_directory"]


def read_directory(gateway: Gateway) -> DirectoryRead:
    directory, breakers = gateway.directory, gateway.fanout.breakers
    loaded = directory.loaded_at
    return DirectoryRead(
        nodes=[
            NodeView(
                **node.to_json(),
                searched=node.callable(directory.callable_states)
                and breakers.get(node.id).state == "closed",
                circuit=breakers.get(node.id).state,
                impact_called=node.callable(directory.callable_states, "impact")
                and breakers.get(node.id, "impact").state == "closed",
                impact_circuit=breakers.get(node.id, "impact").state,
            )
            for node in directory.nodes
        ],
        loaded_at=datetime.fromtimestamp(loaded, UTC) if loaded else None,
        registry_error=directory.last_error,
    )

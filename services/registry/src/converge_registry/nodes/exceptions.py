"""Errors of the nodes domain."""

from __future__ import annotations

from converge_common.errors import Conflict, NotFound

__all__ = ["NodeExists", "NodeNotFound"]


class NodeNotFound(NotFound):
    def __init__(self, node_id: str) -> None:
        super().__init__(f"No Node {node_id!r} in the federation")


class NodeExists(Conflict):
    def __init__(self, node_id: str) -> None:
        super().__init__(f"Node {node_id!r} already exists; PATCH it instead")

"""Errors of the service-instance domain."""

from __future__ import annotations

from converge_common.errors import FieldError, InvalidInput, NotFound

__all__ = ["RefusedTarget", "ServiceNotFound"]


class ServiceNotFound(NotFound):
    def __init__(self, node_id: str, kind: str) -> None:
        super().__init__(f"Node {node_id!r} has no registered {kind} service")


class RefusedTarget(InvalidInput):
    def __init__(self, reason: str) -> None:
        super().__init__(
            f"base_url is refused: {reason}",
            errors=[FieldError("/base_url", "allowed_target", reason)],
        )

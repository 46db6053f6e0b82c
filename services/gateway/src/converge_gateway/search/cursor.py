"""The federated cursor: every Node's own position, signed, bound to the query.

A Node's position is the Node's own cursor for the page the gateway last asked for, how many
records of that page were already shown (``s``), how many of the Node's records were shown in
all (``b``, the rank base for fusion), the Node's total, and whether it has nothing more.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import orjson
from converge_common.errors import BadRequest, FieldError
from converge_common.pagination import CursorCodec

__all__ = ["FederatedCursor", "NodePosition", "query_fingerprint"]


@dataclass
class NodePosition:
    c: str | None = None
    s: int = 0
    b: int = 0
    t: int | None = None
    d: bool = False


def query_fingerprint(params: Sequence[tuple[str, str]], nodes: Sequence[str]) -> str:
    body = orjson.dumps([sorted(params), sorted(nodes)])
    return hashlib.sha256(body).hexdigest()[:16]


def _bad(message: str) -> BadRequest:
    return BadRequest(message, errors=[FieldError("/cursor", "cursor", message)])


class FederatedCursor:
    def __init__(self, secret: bytes) -> None:
        self._codec = CursorCodec(secret, purpose="federated-search")

    def encode(self, fingerprint: str, positions: dict[str, NodePosition]) -> str:
        payload = {"q": fingerprint, "n": {k: asdict(v) for k, v in sorted(positions.items())}}
        return self._codec.encode(payload)

    def decode(self, token: str, fingerprint: str) -> dict[str, NodePosition]:
        payload = self._codec.decode(token)
        if payload.get("q") != fingerprint:
            raise _bad("The cursor belongs to a different query or Node selection")
        raw: Any = payload.get("n")
        if not isinstance(raw, dict):
            raise _bad("malformed cursor")
        try:
            return {str(k): NodePosition(**v) for k, v in raw.items()}
        except TypeError as exc:
            raise _bad("malformed cursor") from exc

"""The federated cursor: every Node's own position, signed, bound to the query.

A Node's position is the Node's own cursor for the page the gateway last asked for, how many
records of that page were already shown, how many of the Node's records were shown in all (the
rank base for fusion), the Node's total, and whether it has nothing more.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import orjson
from converge_common.errors import BadRequest, FieldError
from converge_common.tokens import SignedToken
from pydantic import BaseModel, Field

__all__ = ["FederatedCursor", "FederatedPosition", "NodePosition", "query_fingerprint"]

# a Node's own cursor is at most 4,000 characters (NodeSearchPage); compression takes the
# federated token far below this bound for any realistic selection of Nodes
MAX_LENGTH = 16_384


class NodePosition(BaseModel):
    node_cursor: str | None = None
    shown: int = Field(default=0, ge=0)
    base: int = Field(default=0, ge=0)
    total: int | None = None
    done: bool = False


class FederatedPosition(BaseModel):
    fingerprint: str
    nodes: dict[str, NodePosition]


def query_fingerprint(params: Sequence[tuple[str, str]], nodes: Sequence[str]) -> str:
    body = orjson.dumps([sorted(params), sorted(nodes)])
    return hashlib.sha256(body).hexdigest()[:16]


class FederatedCursor:
    def __init__(self, secret: str) -> None:
        self._tokens = SignedToken(
            FederatedPosition, secret=secret, purpose="federated-search", max_length=MAX_LENGTH
        )

    def encode(self, fingerprint: str, positions: dict[str, NodePosition]) -> str | None:
        """The cursor of the next page, or ``None`` when the Nodes' own cursors together make
        it longer than ``MAX_LENGTH`` (many Nodes each sending a cursor near its 4,000
        character bound): the answer then says that paging stops there, never a 500."""
        nodes = dict(sorted(positions.items()))
        try:
            return self._tokens.dumps(FederatedPosition(fingerprint=fingerprint, nodes=nodes))
        except ValueError:
            return None

    def decode(self, token: str, fingerprint: str) -> dict[str, NodePosition]:
        state = self._tokens.loads(token)
        if state.fingerprint != fingerprint:
            message = "The cursor belongs to a different query or Node selection"
            raise BadRequest(message, errors=[FieldError("/cursor", "cursor", message)])
        return state.nodes

"""The federation's resumption token: which Node is being walked and that Node's own token.

Signed and self-contained, so any gateway replica can continue a harvest another began.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, replace

from converge_common.errors import BadRequest
from converge_common.pagination import CursorCodec

from converge_gateway.oai.protocol import OAIError

__all__ = ["HarvestToken", "HarvestTokens"]


@dataclass(frozen=True)
class HarvestToken:
    verb: str
    node: str  # the Node being walked; those after it (by id) come next
    node_token: str | None  # that Node's own resumption token; None: start it
    prefix: str
    set_spec: str | None
    since: str | None
    until: str | None
    expires: int


class HarvestTokens:
    def __init__(self, secret: bytes, *, ttl_s: int) -> None:
        self._codec = CursorCodec(secret, purpose="oai-harvest")
        self.ttl_s = ttl_s

    def issue(self, token: HarvestToken) -> HarvestToken:
        return replace(token, expires=int(time.time()) + self.ttl_s)

    def encode(self, token: HarvestToken) -> str:
        return self._codec.encode(asdict(token))

    def decode(self, value: str, *, verb: str) -> HarvestToken:
        try:
            token = HarvestToken(**self._codec.decode(value, parameter="resumptionToken"))
        except (BadRequest, TypeError) as exc:
            raise OAIError("badResumptionToken", "The resumptionToken is invalid") from exc
        if token.verb != verb:
            raise OAIError("badResumptionToken", "The resumptionToken belongs to another verb")
        if token.expires < time.time():
            raise OAIError("badResumptionToken", "The resumptionToken has expired")
        return token

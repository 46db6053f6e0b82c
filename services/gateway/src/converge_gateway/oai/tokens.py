"""The federation's resumption token: which Node is being walked, that Node's own token, how
much of that Node's page was delivered, how many items all pages before delivered (the
``cursor``), and each Node's list size as counted at the first request.

Signed and self-contained, so any gateway replica can continue a harvest another began.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace

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
    # items of the Node's page (the one ``node_token`` asks for) already delivered
    skip: int = 0
    # items delivered by the pages before this one
    cursor: int = 0
    # each walked Node's completeListSize at the first request; None where it is not known
    sizes: dict[str, int | None] = field(default_factory=dict)


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
            if not isinstance(token.sizes, dict) or token.skip < 0 or token.cursor < 0:
                raise TypeError("malformed")
        except (BadRequest, TypeError) as exc:
            raise OAIError("badResumptionToken", "The resumptionToken is invalid") from exc
        if token.verb != verb:
            raise OAIError("badResumptionToken", "The resumptionToken belongs to another verb")
        if token.expires < time.time():
            raise OAIError("badResumptionToken", "The resumptionToken has expired")
        return token

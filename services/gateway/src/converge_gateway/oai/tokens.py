"""The federation's resumption token: which Node is being walked, that Node's own token, how
much of that Node's page was delivered, how many items all pages before delivered (the
``cursor``), and each Node's list size as counted at the first request.

Signed and self-contained, so any gateway replica can continue a harvest another began; it
verifies for ``ttl_s`` after it was issued (its ``expirationDate``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from converge_common.tokens import InvalidToken, SignedToken
from pydantic import BaseModel, ConfigDict, Field

from converge_gateway.oai.protocol import OAIError

__all__ = ["HarvestToken", "HarvestTokens"]

# a Node's own token, and a size per walked Node: compressed, far below this for any federation
MAX_LENGTH = 16_384


class HarvestToken(BaseModel):
    model_config = ConfigDict(frozen=True)

    verb: str
    node: str  # the Node being walked; those after it (by id) come next
    node_token: str | None = None  # that Node's own resumption token; None: start it
    prefix: str
    set_spec: str | None = None
    since: str | None = None
    until: str | None = None
    # items of the Node's page (the one ``node_token`` asks for) already delivered
    skip: int = Field(default=0, ge=0)
    # items delivered by the pages before this one
    cursor: int = Field(default=0, ge=0)
    # each walked Node's completeListSize at the first request; None where it is not known
    sizes: dict[str, int | None] = Field(default_factory=dict)


class HarvestTokens:
    def __init__(self, secret: str, *, ttl_s: int) -> None:
        self._tokens = SignedToken(
            HarvestToken,
            secret=secret,
            purpose="oai-harvest",
            max_age=timedelta(seconds=ttl_s),
            max_length=MAX_LENGTH,
            parameter="resumptionToken",
        )

    def encode(self, token: HarvestToken) -> tuple[str, datetime]:
        """The token and when it expires."""
        return self._tokens.dumps(token), self._tokens.expires_at()

    def decode(self, value: str, *, verb: str) -> HarvestToken:
        try:
            token = self._tokens.loads(value)
        except InvalidToken as exc:
            if exc.expired:
                raise OAIError("badResumptionToken", "The resumptionToken has expired") from exc
            raise OAIError("badResumptionToken", "The resumptionToken is invalid") from exc
        if token.verb != verb:
            raise OAIError("badResumptionToken", "The resumptionToken belongs to another verb")
        return token

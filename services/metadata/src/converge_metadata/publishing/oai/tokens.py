"""Resumption tokens: the whole harvest position, signed, so no server state is kept.

A token holds the metadata format, set, ``from``/``until``, the last ``(datestamp, pk)``
delivered, the cursor and the list size counted at the first request; it verifies for the
configured time after it was issued (its ``expirationDate``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from converge_common.oai import OAIError
from converge_common.tokens import InvalidToken, SignedToken
from pydantic import BaseModel, ConfigDict

__all__ = ["HarvestState", "ResumptionTokens"]


class HarvestState(BaseModel):
    model_config = ConfigDict(frozen=True)

    verb: str
    prefix: str
    set_spec: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    after: tuple[datetime, int] | None = None
    cursor: int = 0
    # the list size counted at the first request; -1 until counted
    total: int = -1


class ResumptionTokens:
    """:class:`SignedToken` of :class:`HarvestState` for one response at ``now``, answering a
    bad token as OAI-PMH does (``badResumptionToken``), not as a problem document."""

    def __init__(self, secret: str, *, ttl: timedelta, now: datetime) -> None:
        self._tokens = SignedToken(
            HarvestState,
            secret=secret,
            purpose="oai-pmh-resumption",
            max_age=ttl,
            parameter="resumptionToken",
            clock=now.timestamp,
        )

    def encode(self, state: HarvestState) -> tuple[str, datetime]:
        return self._tokens.dumps(state), self._tokens.expires_at()

    def decode(self, token: str, *, verb: str) -> HarvestState:
        try:
            state = self._tokens.loads(token)
        except InvalidToken as exc:
            if exc.expired:
                raise OAIError("badResumptionToken", "The resumptionToken has expired") from exc
            raise OAIError("badResumptionToken", "The resumptionToken is invalid") from exc
        if state.verb != verb:
            raise OAIError("badResumptionToken", f"The resumptionToken is not one of {verb}")
        return state

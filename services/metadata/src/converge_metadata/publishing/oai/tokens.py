"""Resumption tokens: the whole harvest position, signed, so no server state is kept.

A token holds the metadata format, set, ``from``/``until``, the last ``(datestamp, pk)``
delivered, the cursor, the list size counted at the first request, and an expiry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from converge_common.errors import BadRequest
from converge_common.oai import OAIError
from converge_common.pagination import CursorCodec

__all__ = ["HarvestState", "TokenCodec"]


@dataclass(frozen=True)
class HarvestState:
    verb: str
    prefix: str
    set_spec: str | None
    since: datetime | None
    until: datetime | None
    after: tuple[datetime, int] | None
    cursor: int
    total: int


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _dt(value: object) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("datetime expected")
    return datetime.fromisoformat(value)


class TokenCodec:
    def __init__(self, secret: bytes, *, ttl: timedelta) -> None:
        self._codec = CursorCodec(secret, purpose="oai-pmh-resumption")
        self._ttl = ttl

    def encode(self, state: HarvestState, *, now: datetime) -> tuple[str, datetime]:
        expires = (now + self._ttl).replace(microsecond=0)
        payload = {
            "v": state.verb,
            "m": state.prefix,
            "s": state.set_spec,
            "f": _iso(state.since),
            "u": _iso(state.until),
            "a": [state.after[0].isoformat(), state.after[1]] if state.after else None,
            "c": state.cursor,
            "n": state.total,
            "e": int(expires.timestamp()),
        }
        return self._codec.encode(payload), expires

    def decode(self, token: str, *, verb: str, now: datetime) -> HarvestState:
        try:
            payload = self._codec.decode(token, parameter="resumptionToken")
            expires = datetime.fromtimestamp(int(payload["e"]), tz=UTC)
            after = payload["a"]
            state = HarvestState(
                verb=str(payload["v"]),
                prefix=str(payload["m"]),
                set_spec=payload["s"],
                since=_dt(payload["f"]),
                until=_dt(payload["u"]),
                after=(datetime.fromisoformat(after[0]), int(after[1])) if after else None,
                cursor=int(payload["c"]),
                total=int(payload["n"]),
            )
        except (BadRequest, KeyError, TypeError, ValueError, IndexError) as exc:
            raise OAIError("badResumptionToken", "The resumptionToken is invalid") from exc
        if expires < now:
            raise OAIError("badResumptionToken", "The resumptionToken has expired")
        if state.verb != verb:
            raise OAIError("badResumptionToken", f"The resumptionToken is not one of {verb}")
        return state

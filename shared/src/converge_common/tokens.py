"""Signed, time-limited tokens: one format for every cursor and resumption token.

A token kind is a pydantic model and a purpose. :class:`SignedToken` serialises the model as
compact JSON (fields at their defaults left out); ``itsdangerous`` compresses it when it is
long enough to gain, base64url-encodes it, stamps the time and signs it with HMAC-SHA256 under
a key derived from the service's secret and the purpose. A token of one kind therefore never
verifies as another, an altered or expired token never decodes, and nothing is read from a token
before its signature is checked.

Whatever is wrong with a token (too long, not base64, not signed by us, another kind, expired,
not the model's shape) raises :class:`InvalidToken`, a 400 problem naming the parameter.
Callers that answer in another protocol (OAI-PMH's ``badResumptionToken``) catch that one class.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

import orjson
from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from pydantic import BaseModel, ValidationError

from converge_common.errors import BadRequest, FieldError

__all__ = ["CURSOR_MAX_AGE", "InvalidToken", "SignedToken"]

M = TypeVar("M", bound=BaseModel)

#: payloads shorter than this (bytes of JSON) are not compressed
COMPRESS_FROM = 256

#: how long a paging cursor stays valid: a client may pause between pages, not resume next week
CURSOR_MAX_AGE = timedelta(hours=24)


class InvalidToken(BadRequest):
    """The one error for a token this service did not issue, that was altered or has expired."""

    def __init__(self, parameter: str, *, expired: bool = False) -> None:
        self.parameter = parameter
        self.expired = expired
        reason = "expired cursor" if expired else "malformed or tampered cursor"
        super().__init__(
            f"The {parameter} is not one this service issued"
            if not expired
            else f"The {parameter} has expired",
            errors=[FieldError(f"/{parameter}", "cursor", reason)],
        )


class _Json:
    """orjson for itsdangerous: the payload is a dict the model dumped, or that it validates."""

    @staticmethod
    def dumps(obj: Any) -> str:
        return orjson.dumps(obj).decode()

    @staticmethod
    def loads(payload: str | bytes) -> Any:
        return orjson.loads(payload)


class _ClockedSigner(TimestampSigner):
    """``itsdangerous``'s timestamp signer (HMAC-SHA256) reading the time from ``clock``, built
    once per kind with its derived keys kept (itsdangerous derives them on every call)."""

    def __init__(self, secret: str | bytes, *, salt: str, clock: Callable[[], float]) -> None:
        super().__init__(secret, salt=salt, digest_method=hashlib.sha256)
        self._clock = clock
        self._keys: dict[bytes | str | None, bytes] = {}

    def get_timestamp(self) -> int:
        return int(self._clock())

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        key = self._keys.get(secret_key)
        if key is None:
            key = self._keys[secret_key] = super().derive_key(secret_key)
        return key


class _Serializer(URLSafeTimedSerializer):
    """Compresses only payloads long enough to gain: zlib costs more than the rest of a short
    token's signing. ``load_payload`` tells the two apart (a compressed payload starts with
    ``.``), so either kind of payload reads back."""

    def dump_payload(self, obj: Any) -> bytes:
        if len(text := self.serializer.dumps(obj)) >= COMPRESS_FROM:
            return super().dump_payload(obj)
        return base64_encode(text)


class SignedToken(Generic[M]):
    """Issue and verify tokens of one kind: ``model`` instances under one ``purpose``.

    ``max_age`` bounds how long a token verifies; ``max_length`` bounds what is read (longer
    input is refused before any decoding) and what is issued. ``parameter`` names the query
    parameter in the problem answer. ``clock`` (seconds since the epoch) is for callers that
    answer a request at one instant, such as an OAI-PMH response and its ``expirationDate``.
    """

    def __init__(
        self,
        model: type[M],
        *,
        secret: str | bytes,
        purpose: str,
        max_age: timedelta = CURSOR_MAX_AGE,
        max_length: int = 1024,
        parameter: str = "cursor",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.model = model
        self.purpose = purpose
        self.max_age = max_age
        self.max_length = max_length
        self.parameter = parameter
        self._clock = clock
        # the serializer only turns payloads into base64url and back; one signer for the kind,
        # not one per call as the serializer's own dumps and loads would build
        self._serializer = _Serializer(secret, salt=purpose, serializer=_Json)
        self._signer = _ClockedSigner(secret, salt=purpose, clock=clock)
        self._max_age_s = int(max_age.total_seconds())

    def dumps(self, value: M) -> str:
        """The token for ``value``. A token longer than ``max_length`` is a bug in the kind's
        bounds (say a list in the model that grows without limit), so it raises ValueError."""
        payload = self._serializer.dump_payload(
            value.model_dump(mode="json", exclude_defaults=True)
        )
        token = self._signer.sign(payload).decode("ascii")
        if len(token) > self.max_length:
            raise ValueError(f"a {self.purpose} token of {len(token)} > {self.max_length} chars")
        return token

    def expires_at(self) -> datetime:
        """When a token issued now stops verifying."""
        return datetime.fromtimestamp(int(self._clock()), tz=UTC) + self.max_age

    def loads(self, token: str) -> M:
        """The value ``token`` holds; :class:`InvalidToken` for anything but a valid token."""
        if not isinstance(token, str) or len(token) > self.max_length:
            raise InvalidToken(self.parameter)
        try:
            payload = self._signer.unsign(token, max_age=self._max_age_s)
            return self.model.model_validate(self._serializer.load_payload(payload))
        except BadData as exc:
            # only a token whose signature verified can be told apart as expired
            raise InvalidToken(self.parameter, expired=isinstance(exc, SignatureExpired)) from exc
        except (ValidationError, ValueError, TypeError) as exc:
            raise InvalidToken(self.parameter) from exc

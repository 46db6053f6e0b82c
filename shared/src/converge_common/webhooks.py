"""Signed webhooks: HMAC-SHA256, timestamped, replay-protected.

The sender adds two headers:

* ``X-Converge-Delivery``: a unique id of this delivery (a retry of the same delivery keeps it);
* ``X-Converge-Signature``: ``t=<unix seconds>,v1=<hex HMAC-SHA256>`` over
  ``"{t}.{delivery id}.{body}"`` with the subscriber's secret.

The delivery id is inside the signed text so that a replay cannot be disguised as a new
delivery. The receiver refuses a signature that does not verify, a timestamp outside the
tolerance window, and a delivery id it has already accepted within that window
(:class:`WebhookVerifier` remembers them).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping

__all__ = [
    "DELIVERY_HEADER",
    "SIGNATURE_HEADER",
    "InvalidSignature",
    "ReplayedDelivery",
    "WebhookError",
    "WebhookVerifier",
    "sign",
    "signature_headers",
]

SIGNATURE_HEADER = "X-Converge-Signature"
DELIVERY_HEADER = "X-Converge-Delivery"
DEFAULT_TOLERANCE_S = 300


class WebhookError(Exception):
    """A delivery the receiver must refuse."""


class InvalidSignature(WebhookError):
    """Missing, malformed, stale or wrong signature."""


class ReplayedDelivery(WebhookError):
    """A delivery id already accepted within the tolerance window."""


def _key(secret: str | bytes) -> bytes:
    return secret.encode() if isinstance(secret, str) else secret


def sign(secret: str | bytes, body: bytes, *, delivery_id: str, timestamp: int) -> str:
    """The hex HMAC-SHA256 of one delivery."""
    message = f"{timestamp}.{delivery_id}.".encode() + body
    return hmac.new(_key(secret), message, hashlib.sha256).hexdigest()


def signature_headers(
    secret: str | bytes, body: bytes, *, delivery_id: str, timestamp: int | None = None
) -> dict[str, str]:
    """The headers a sender adds to a delivery of ``body``."""
    ts = int(time.time()) if timestamp is None else timestamp
    digest = sign(secret, body, delivery_id=delivery_id, timestamp=ts)
    return {DELIVERY_HEADER: delivery_id, SIGNATURE_HEADER: f"t={ts},v1={digest}"}


def _parse(value: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    digests: list[str] = []
    for part in value.split(","):
        name, _, item = part.strip().partition("=")
        if name == "t" and item.isdigit():
            timestamp = int(item)
        elif name == "v1" and item:
            digests.append(item)
    if timestamp is None or not digests:
        raise InvalidSignature("malformed signature header")
    return timestamp, digests


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value


class WebhookVerifier:
    """Verifies deliveries signed with one of ``secrets`` (several during a rotation)."""

    def __init__(
        self,
        secrets: str | bytes | list[str | bytes],
        *,
        tolerance_s: int = DEFAULT_TOLERANCE_S,
        max_remembered: int = 100_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secrets = [_key(s) for s in (secrets if isinstance(secrets, list) else [secrets])]
        self.tolerance_s = tolerance_s
        self._max = max_remembered
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def _forget_old(self, now: float) -> None:
        while self._seen:
            delivery, at = next(iter(self._seen.items()))
            if at >= now - 2 * self.tolerance_s and len(self._seen) <= self._max:
                break
            del self._seen[delivery]

    def verify(self, body: bytes, headers: Mapping[str, str]) -> str:
        """Check one delivery and remember it; returns its delivery id."""
        delivery_id = _header(headers, DELIVERY_HEADER)
        signature = _header(headers, SIGNATURE_HEADER)
        if not delivery_id or not signature:
            raise InvalidSignature("delivery id or signature header missing")
        timestamp, digests = _parse(signature)
        now = self._clock()
        if abs(now - timestamp) > self.tolerance_s:
            raise InvalidSignature("timestamp outside the tolerance window")
        expected = [
            sign(s, body, delivery_id=delivery_id, timestamp=timestamp) for s in self._secrets
        ]
        if not any(hmac.compare_digest(e, d) for e in expected for d in digests):
            raise InvalidSignature("signature does not match")
        self._forget_old(now)
        if delivery_id in self._seen:
            raise ReplayedDelivery(f"delivery {delivery_id} was already accepted")
        self._seen[delivery_id] = now
        return delivery_id

"""Rate limits for every service: the ``limits`` library behind one FastAPI dependency.

A route (or a router) depends on ``rate_limit(policy, rules=..., key=...)``: ``rules`` reads the
limits from the service's settings in the library's notation (``"600/minute;60 per 6
seconds"``: every rule must allow the request), ``key`` names the client (or ``None``: not
limited). Counts live in the process by default (``memory://``); with a ``redis://`` storage
URL every replica shares one count per client. A refused request gets a ``429`` problem with
``Retry-After``; every limited response carries ``RateLimit-Policy`` and ``RateLimit``
(draft-ietf-httpapi-ratelimit-headers).

When the shared storage cannot be reached the request goes ahead (logged and counted as
``rate_limit_storage_errors_total``): a rate limit protects the service, and an outage of
its counter must not become an outage of the service.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any, Literal

from fastapi import Depends, Request
from limits import RateLimitItem, parse_many
from limits.aio.storage import Storage
from limits.aio.strategies import (
    FixedWindowRateLimiter,
    MovingWindowRateLimiter,
    SlidingWindowCounterRateLimiter,
)
from limits.aio.strategies import RateLimiter as Strategy
from limits.errors import StorageError
from limits.storage import storage_from_string
from prometheus_client import CollectorRegistry, Counter
from pydantic import BaseModel, Field, field_validator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from converge_common.auth import optional_principal
from converge_common.errors import TooManyRequests

__all__ = [
    "RATE_LIMITED_RESPONSE",
    "RateLimitDecision",
    "RateLimitHeadersMiddleware",
    "RateLimitMetrics",
    "RateLimitSettings",
    "RateLimiter",
    "anonymous_address",
    "caller_or_address",
    "parse_rules",
    "rate_limit",
]

logger = logging.getLogger("converge.ratelimit")

StrategyName = Literal["moving-window", "fixed-window", "sliding-window-counter"]
_STRATEGIES: dict[str, Callable[[Storage], Strategy]] = {
    "moving-window": MovingWindowRateLimiter,
    "fixed-window": FixedWindowRateLimiter,
    "sliding-window-counter": SlidingWindowCounterRateLimiter,
}
_SCHEMES = ("memory://", "redis://", "rediss://", "redis+unix://")


# for the OpenAPI ``responses`` of a rate-limited route or router
RATE_LIMITED_RESPONSE: dict[int | str, dict[str, Any]] = {
    429: {
        "description": "Too many requests from this client (Retry-After, RateLimit headers)",
        "content": {"application/problem+json": {}},
    }
}


class RateLimitSettings(BaseModel):
    """Mixed into the settings of a service that limits rates (gateway, registry)."""

    # memory:// (this process only) or redis://host:port/db, rediss://, redis+unix://
    rate_limit_storage_url: str = "memory://"
    rate_limit_strategy: StrategyName = "moving-window"
    # keys in a shared storage start with this (one Redis may serve several deployments)
    rate_limit_key_prefix: str = Field(
        default="converge", pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$"
    )

    @field_validator("rate_limit_storage_url")
    @classmethod
    def _known_storage(cls, value: str) -> str:
        if not value.startswith(_SCHEMES):
            raise ValueError(f"rate_limit_storage_url must start with one of {', '.join(_SCHEMES)}")
        return value


@lru_cache(maxsize=64)
def parse_rules(text: str) -> tuple[RateLimitItem, ...]:
    """``"600/minute;60 per 6 seconds"`` as the library's items (an empty text: no limit)."""
    return tuple(parse_many(text)) if text.strip() else ()


@dataclass(frozen=True)
class RateLimitDecision:
    """The verdict on one request, and the rule nearest to refusing the client."""

    allowed: bool
    policy: str
    rules: tuple[RateLimitItem, ...]
    rule: RateLimitItem
    remaining: int
    reset_after_s: float

    def headers(self) -> list[tuple[bytes, bytes]]:
        policies = ", ".join(
            f'"{self._name(r)}";q={r.amount};w={r.get_expiry()}' for r in self.rules
        )
        current = f'"{self._name(self.rule)}";r={self.remaining};t={math.ceil(self.reset_after_s)}'
        return [(b"ratelimit-policy", policies.encode()), (b"ratelimit", current.encode())]

    def _name(self, rule: RateLimitItem) -> str:
        return self.policy if len(self.rules) == 1 else f"{self.policy}-{rule.get_expiry()}s"


class RateLimitMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.refused = Counter(
            "rate_limited_total", "Requests refused by a rate limit", ["policy"], registry=registry
        )
        self.storage_errors = Counter(
            "rate_limit_storage_errors_total",
            "Rate-limit checks that could not reach the shared storage (let through)",
            registry=registry,
        )


class RateLimiter:
    """One per app: a strategy of the ``limits`` library over its storage."""

    def __init__(
        self,
        *,
        metrics: RateLimitMetrics,
        storage_url: str = "memory://",
        strategy: StrategyName = "moving-window",
        key_prefix: str = "converge",
        namespace: str = "",
    ) -> None:
        self.storage_url = storage_url
        self.shared = not storage_url.startswith("memory://")
        # no I/O here: a Redis client connects on its first command
        storage = storage_from_string(
            "async+" + storage_url, key_prefix=key_prefix, wrap_exceptions=True
        )
        assert isinstance(storage, Storage)  # the async+ schemes give the asyncio storages
        self._storage = storage
        self._strategy = _STRATEGIES[strategy](self._storage)
        self._namespace = namespace
        self._metrics = metrics

    @classmethod
    def from_settings(
        cls, settings: RateLimitSettings, *, metrics: RateLimitMetrics, namespace: str
    ) -> RateLimiter:
        return cls(
            metrics=metrics,
            storage_url=settings.rate_limit_storage_url,
            strategy=settings.rate_limit_strategy,
            key_prefix=settings.rate_limit_key_prefix,
            namespace=namespace,
        )

    async def hit(
        self, policy: str, rules: Sequence[RateLimitItem], client: str
    ) -> RateLimitDecision | None:
        """Count one request of ``client`` against every rule; ``None`` when none applies
        or the storage is unreachable."""
        if not rules:
            return None
        ident = (self._namespace, policy, client)
        nearest: tuple[int, float, RateLimitItem] | None = None
        try:
            for rule in rules:
                allowed = await self._strategy.hit(rule, *ident)
                stats = await self._strategy.get_window_stats(rule, *ident)
                reset_after = max(0.0, stats.reset_time - time.time())
                if not allowed:
                    self._metrics.refused.labels(policy).inc()
                    return RateLimitDecision(
                        False, policy, tuple(rules), rule, 0, max(reset_after, 1.0)
                    )
                if nearest is None or stats.remaining < nearest[0]:
                    nearest = (stats.remaining, reset_after, rule)
        except StorageError as exc:
            self._metrics.storage_errors.inc()
            logger.warning(
                "rate-limit storage unreachable, request let through: %s",
                exc.storage_error,
                extra={"event": "rate_limit_storage_error"},
            )
            return None
        assert nearest is not None
        return RateLimitDecision(True, policy, tuple(rules), nearest[2], nearest[0], nearest[1])

    async def check_storage(self) -> bool:
        try:
            return bool(await self._storage.check())
        except Exception:  # any failure to reach it is "not healthy"
            return False

    async def reset(self) -> None:
        """Forget every count (the whole storage under the key prefix)."""
        await self._storage.reset()


async def get_rate_limiter(request: Request) -> RateLimiter:
    limiter = getattr(request.app.state, "rate_limiter", None)
    if not isinstance(limiter, RateLimiter):
        raise RuntimeError("rate_limit() needs the service settings to mix in RateLimitSettings")
    return limiter


def _address(request: Request) -> str:
    return f"ip:{request.client.host if request.client else 'unknown'}"


async def caller_or_address(request: Request) -> str:
    """The token's subject when a valid token is sent, else the client address."""
    principal = await optional_principal(request)
    return f"sub:{principal.subject}" if principal is not None else _address(request)


async def anonymous_address(request: Request) -> str | None:
    """The client address of an anonymous caller; authenticated callers are not limited."""
    principal = await optional_principal(request)
    return None if principal is not None else _address(request)


def rate_limit(
    policy: str,
    *,
    rules: Callable[[Any], str],
    key: Callable[[Request], Awaitable[str | None]] = caller_or_address,
    detail: str = "Too many requests from this client; slow down",
) -> Any:
    """A dependency that counts the request and refuses it with ``429`` beyond the rules.

    ``rules`` reads the limits from the app's settings; ``key`` names the client.
    """

    # ``key`` is a closure variable: given as a default, since FastAPI resolves string
    # annotations in the module's globals
    async def limited(
        request: Request,
        limiter: Annotated[RateLimiter, Depends(get_rate_limiter)],
        client: str | None = Depends(key),
    ) -> None:
        if client is None:
            return
        decision = await limiter.hit(policy, parse_rules(rules(request.app.state.settings)), client)
        if decision is None:
            return
        request.state.rate_limit = decision
        if not decision.allowed:
            raise TooManyRequests(detail, retry_after_s=math.ceil(decision.reset_after_s))

    return Depends(limited)


class RateLimitHeadersMiddleware:
    """Adds ``RateLimit-Policy`` and ``RateLimit`` to every response a limit was counted for."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_limits(message: Message) -> None:
            if message["type"] == "http.response.start":
                decision = scope.get("state", {}).get("rate_limit")
                if isinstance(decision, RateLimitDecision):
                    message["headers"] = [*message.get("headers", []), *decision.headers()]
            await send(message)

        await self.app(scope, receive, send_with_limits)

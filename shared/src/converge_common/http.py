"""Outgoing HTTP: one lifespan-owned ``httpx.AsyncClient`` per downstream.

Explicit connect/read/total timeouts, the request id passed on, retries only for idempotent
methods, and a cap on how many bytes a response may bring.
"""

from __future__ import annotations

import asyncio
import random
import ssl
from dataclasses import dataclass
from functools import cache
from typing import Any

import httpx

from converge_common.observability import REQUEST_ID_HEADER, current_request_id

__all__ = [
    "IDEMPOTENT_METHODS",
    "HttpLimits",
    "ResponseTooLarge",
    "create_http_client",
    "fetch",
    "tls_context",
]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


_WIRE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class ResponseTooLarge(httpx.HTTPError):
    """The downstream answered with more bytes than we accept."""


@dataclass(frozen=True)
class HttpLimits:
    connect_s: float = 2.0
    read_s: float = 5.0
    total_s: float = 10.0
    max_bytes: int = 10 * 1024 * 1024
    retries: int = 2


async def _add_request_id(request: httpx.Request) -> None:
    if REQUEST_ID_HEADER not in request.headers and (rid := current_request_id()):
        request.headers[REQUEST_ID_HEADER] = rid


def _timeout(limits: HttpLimits) -> httpx.Timeout:
    return httpx.Timeout(limits.read_s, connect=limits.connect_s)


@cache
def tls_context() -> ssl.SSLContext:
    """httpx's default TLS context, made once per process: loading the CA bundle takes ~0.1 s
    of CPU, which each client paid again (a service makes several; the demo runs eight
    services in one process)."""
    return httpx.create_ssl_context()


def create_http_client(
    limits: HttpLimits,
    *,
    base_url: str = "",
    transport: httpx.AsyncBaseTransport | None = None,
    headers: dict[str, str] | None = None,
    max_connections: int = 100,
) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url,
        verify=tls_context(),
        timeout=_timeout(limits),
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=20),
        transport=transport,
        headers=headers,
        event_hooks={"request": [_add_request_id]},
        follow_redirects=False,
    )


async def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise ResponseTooLarge(f"response declares {declared} bytes, cap is {max_bytes}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise ResponseTooLarge(f"response exceeds {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def fetch(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    limits: HttpLimits,
    retries: int | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """Send a request with a total deadline, a size cap, and retries when it is safe.

    The returned response has its body read (``response.content`` works). Retries happen only
    for idempotent methods, on connection errors and 502/503/504, with jittered back-off.
    """
    attempts = 1 + (limits.retries if retries is None else retries)
    if method.upper() not in IDEMPOTENT_METHODS:
        attempts = 1
    last_exc: Exception | None = None
    for attempt in range(attempts):
        try:
            async with asyncio.timeout(limits.total_s):
                # this call's limits, not the client's defaults: a long poll reads for longer
                kwargs.setdefault("timeout", _timeout(limits))
                request = client.build_request(method, url, **kwargs)
                response = await client.send(request, stream=True)
                try:
                    body = await _read_capped(response, limits.max_bytes)
                finally:
                    await response.aclose()
            retryable = response.status_code in (502, 503, 504)
            if not retryable or attempt == attempts - 1:
                # the body is already decoded: drop the headers that describe the wire form
                headers = [
                    (k, v)
                    for k, v in response.headers.multi_items()
                    if k.lower() not in _WIRE_HEADERS
                ]
                return httpx.Response(
                    response.status_code,
                    headers=headers,
                    content=body,
                    request=request,
                )
        except (httpx.TransportError, TimeoutError) as exc:
            last_exc = exc
            if attempt == attempts - 1:
                if isinstance(exc, TimeoutError):
                    raise httpx.TimeoutException(f"no answer within {limits.total_s}s") from exc
                raise
        await asyncio.sleep(min(2.0, 0.1 * 2**attempt) * (0.5 + random.random()))
    raise RuntimeError("unreachable") from last_exc  # pragma: no cover

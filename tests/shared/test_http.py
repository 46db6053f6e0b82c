"""The outgoing HTTP client: request ids, size caps, retries only when idempotent, pools."""

from __future__ import annotations

import httpx
import pytest
from converge_common.http import (
    HttpLimits,
    ResponseTooLarge,
    create_http_client,
    fetch,
)
from converge_common.observability import _REQUEST_ID

LIMITS = HttpLimits(connect_s=1, read_s=1, total_s=2, max_bytes=1000, retries=2)


def _client(handler: httpx.MockTransport) -> httpx.AsyncClient:
    return create_http_client(LIMITS, transport=handler, base_url="http://downstream")


class TestRequestId:
    async def test_propagated(self) -> None:
        seen: list[str | None] = []

        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(request.headers.get("x-request-id"))
            return httpx.Response(200)

        token = _REQUEST_ID.set("trace-42")
        try:
            async with _client(httpx.MockTransport(handler)) as client:
                await fetch(client, "GET", "/x", limits=LIMITS)
        finally:
            _REQUEST_ID.reset(token)
        assert seen == ["trace-42"]


class TestTimeouts:
    async def test_a_call_reads_for_its_own_limit_not_the_clients(self) -> None:
        # a long poll (the registry's change feed) waits longer than the client's default
        seen: list[dict[str, float]] = []

        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(request.extensions["timeout"])
            return httpx.Response(200, content=b"ok")

        long_poll = HttpLimits(connect_s=1, read_s=26, total_s=27, max_bytes=1000, retries=0)
        async with _client(httpx.MockTransport(handler)) as client:
            await fetch(client, "GET", "/changes", limits=long_poll)
            await fetch(client, "GET", "/nodes", limits=LIMITS)
        assert [t["read"] for t in seen] == [26, 1]
        assert [t["connect"] for t in seen] == [1, 1]


class TestSizeCap:
    async def test_declared_too_large(self) -> None:
        transport = httpx.MockTransport(lambda r: httpx.Response(200, content=b"x" * 5000))
        async with _client(transport) as client:
            with pytest.raises(ResponseTooLarge):
                await fetch(client, "GET", "/big", limits=LIMITS)

    async def test_streamed_too_large(self) -> None:
        async def chunks():  # type: ignore[no-untyped-def]
            for _ in range(20):
                yield b"y" * 100

        transport = httpx.MockTransport(lambda r: httpx.Response(200, content=chunks()))
        async with _client(transport) as client:
            with pytest.raises(ResponseTooLarge):
                await fetch(client, "GET", "/stream", limits=LIMITS)

    async def test_within_cap(self) -> None:
        transport = httpx.MockTransport(lambda r: httpx.Response(200, json={"ok": True}))
        async with _client(transport) as client:
            response = await fetch(client, "GET", "/small", limits=LIMITS)
        assert response.json() == {"ok": True}


class TestRetries:
    @pytest.mark.parametrize(("method", "calls"), [("GET", 3), ("PUT", 3), ("POST", 1)])
    async def test_only_idempotent_methods_retry(self, method: str, calls: int) -> None:
        count = 0

        def handler(request: httpx.Request) -> httpx.Response:
            nonlocal count
            count += 1
            return httpx.Response(503)

        async with _client(httpx.MockTransport(handler)) as client:
            response = await fetch(client, method, "/flaky", limits=LIMITS)
        assert response.status_code == 503
        assert count == calls

    async def test_recovers_after_connection_error(self) -> None:
        count = 0

        def handler(request: httpx.Request) -> httpx.Response:
            nonlocal count
            count += 1
            if count == 1:
                raise httpx.ConnectError("refused", request=request)
            return httpx.Response(200, text="fine")

        async with _client(httpx.MockTransport(handler)) as client:
            response = await fetch(client, "GET", "/", limits=LIMITS)
        assert response.text == "fine"
        assert count == 2

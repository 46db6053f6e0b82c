"""The gateway's fan-out pools (``PoolPerOrigin`` over ``_LinearPool``) on real loopback sockets."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

import httpx
import pytest
from converge_common.testing.servers import LiveServer
from converge_gateway.fanout.pools import PoolPerOrigin
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route


class _Held:
    """An app whose ``/held`` answers only when released, on a real loopback socket.

    Records each request's client port: one port per connection the client opened.
    """

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.ports: list[int] = []

    def app(self) -> Starlette:
        def seen(request: Request) -> None:
            self.ports.append(request.client.port if request.client else 0)

        async def held(request: Request) -> PlainTextResponse:
            seen(request)
            await self.release.wait()
            return PlainTextResponse("held")

        async def quick(request: Request) -> PlainTextResponse:
            seen(request)
            await asyncio.sleep(0.002)
            return PlainTextResponse("quick")

        async def closing(request: Request) -> PlainTextResponse:
            seen(request)
            return PlainTextResponse("bye", headers={"connection": "close"})

        return Starlette(
            routes=[Route("/held", held), Route("/quick", quick), Route("/closing", closing)]
        )


class TestPoolPerOrigin:
    """One origin's busy connections never take another origin's place in the pool."""

    async def _two_servers(self, stack: AsyncExitStack, held: _Held) -> tuple[str, str]:
        urls = []
        for _ in range(2):
            server = LiveServer(held.app())
            await server.start()
            stack.push_async_callback(server.stop)
            urls.append(server.url)
        stack.callback(held.release.set)
        return urls[0], urls[1]

    async def test_each_origin_has_its_own_limit(self) -> None:
        held = _Held()
        async with AsyncExitStack() as stack:
            first, second = await self._two_servers(stack, held)
            transport = PoolPerOrigin(limits=httpx.Limits(max_connections=1))
            client = httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(5, pool=0.5))
            stack.push_async_callback(client.aclose)
            busy = asyncio.create_task(client.get(f"{first}/held"))
            await asyncio.sleep(0.1)
            # the first origin's only connection is busy; the second origin has its own
            assert (await client.get(f"{second}/quick")).text == "quick"
            with pytest.raises(httpx.PoolTimeout):
                await client.get(f"{first}/quick")
            held.release.set()
            assert (await busy).text == "held"
            assert transport.origins == 2

    async def test_origins_beyond_the_cap_share_one_pool(self) -> None:
        held = _Held()
        async with AsyncExitStack() as stack:
            first, second = await self._two_servers(stack, held)
            transport = PoolPerOrigin(limits=httpx.Limits(max_connections=1), max_origins=0)
            client = httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(5, pool=0.5))
            stack.push_async_callback(client.aclose)
            busy = asyncio.create_task(client.get(f"{first}/held"))
            await asyncio.sleep(0.1)
            with pytest.raises(httpx.PoolTimeout):
                await client.get(f"{second}/quick")
            held.release.set()
            assert (await busy).text == "held"
            assert transport.origins == 0


class TestConnectionReuse:
    """The pool's own bookkeeping: limits, reuse, cancellation, closed connections."""

    async def _client(
        self, stack: AsyncExitStack, held: _Held, limits: httpx.Limits
    ) -> tuple[httpx.AsyncClient, str]:
        server = LiveServer(held.app())
        await server.start()
        stack.push_async_callback(server.stop)
        stack.callback(held.release.set)
        client = httpx.AsyncClient(
            transport=PoolPerOrigin(limits=limits), timeout=httpx.Timeout(5, pool=2)
        )
        stack.push_async_callback(client.aclose)
        return client, server.url

    async def test_sequential_requests_reuse_one_connection(self) -> None:
        held = _Held()
        async with AsyncExitStack() as stack:
            client, url = await self._client(stack, held, httpx.Limits(max_connections=5))
            for _ in range(5):
                assert (await client.get(f"{url}/quick")).text == "quick"
        assert len(held.ports) == 5
        assert len(set(held.ports)) == 1

    async def test_burst_shares_the_limited_connections(self) -> None:
        held = _Held()
        async with AsyncExitStack() as stack:
            client, url = await self._client(stack, held, httpx.Limits(max_connections=3))
            responses = await asyncio.gather(*(client.get(f"{url}/quick") for _ in range(60)))
        assert [r.text for r in responses] == ["quick"] * 60
        assert len(set(held.ports)) <= 3

    async def test_a_request_cancelled_while_queued_leaves_the_pool_usable(self) -> None:
        held = _Held()
        async with AsyncExitStack() as stack:
            client, url = await self._client(stack, held, httpx.Limits(max_connections=1))
            busy = asyncio.create_task(client.get(f"{url}/held"))
            await asyncio.sleep(0.1)
            queued = asyncio.create_task(client.get(f"{url}/quick"))
            await asyncio.sleep(0.05)
            queued.cancel()
            held.release.set()
            assert (await busy).text == "held"
            assert (await client.get(f"{url}/quick")).text == "quick"
            assert queued.cancelled()
        assert len(set(held.ports)) == 1

    async def test_a_connection_the_server_closed_is_replaced(self) -> None:
        held = _Held()
        async with AsyncExitStack() as stack:
            client, url = await self._client(stack, held, httpx.Limits(max_connections=1))
            assert (await client.get(f"{url}/closing")).text == "bye"
            assert (await client.get(f"{url}/quick")).text == "quick"
        assert len(set(held.ports)) == 2

    async def test_idle_connections_beyond_keepalive_are_closed(self) -> None:
        held = _Held()
        limits = httpx.Limits(max_connections=4, max_keepalive_connections=1)
        async with AsyncExitStack() as stack:
            client, url = await self._client(stack, held, limits)
            busy = [asyncio.create_task(client.get(f"{url}/held")) for _ in range(4)]
            await asyncio.sleep(0.2)
            held.release.set()
            await asyncio.gather(*busy)
            first = set(held.ports)
            # of the four connections one was kept alive: four more requests open three
            await asyncio.gather(*(client.get(f"{url}/held") for _ in range(4)))
        assert len(first) == 4
        assert len(set(held.ports) - first) == 3

    async def test_an_idle_connection_the_server_dropped_is_not_reused(self) -> None:
        connections = 0

        async def answer_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            # keep-alive promised, then the socket is closed anyway (a server's idle timeout)
            nonlocal connections
            connections += 1
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
            await writer.drain()
            await asyncio.sleep(0.05)
            writer.close()

        server = await asyncio.start_server(answer_once, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        transport = PoolPerOrigin(limits=httpx.Limits(max_connections=1))
        async with server, httpx.AsyncClient(transport=transport, timeout=5) as client:
            assert (await client.get(f"http://127.0.0.1:{port}/")).text == "ok"
            await asyncio.sleep(0.2)
            assert (await client.get(f"http://127.0.0.1:{port}/")).text == "ok"
        assert connections == 2

"""Request limits every service gets from ``build_service_app``, against a real uvicorn server
(``httptools``, which caps nothing itself): each excess is a problem+json with its own status,
and the server answers normally afterwards."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest_asyncio
from converge_common.testing.plugin import Tokens, bearer
from converge_common.testing.servers import LiveServer

from tests.shared.harness import HarnessSettings, create_harness_app

_PROBLEM = "application/problem+json"


@pytest_asyncio.fixture(loop_scope="session")
async def server(
    harness_settings: HarnessSettings, oidc_settings: dict[str, Any]
) -> AsyncIterator[str]:
    settings = harness_settings.model_copy(update=oidc_settings)
    live = LiveServer(create_harness_app(settings))
    await live.start()
    try:
        yield live.url
    finally:
        await live.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def client(server: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server, timeout=30) as http:
        yield http


async def _still_serving(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/items", params={"limit": 2})
    assert response.status_code == 200, response.text


def _problem(response: httpx.Response, status: int, slug: str) -> None:
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"] == _PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["type"].endswith("/" + slug)


class TestUrl:
    async def test_long_query_is_414(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/items", params={"limit": "1", "x": "a" * 9000})
        _problem(response, 414, "uri-too-long")
        await _still_serving(client)

    async def test_query_at_the_limit_is_served(self, client: httpx.AsyncClient) -> None:
        padding = "a" * (8 * 1024 - len("/api/v1/items") - len("limit=1&x="))
        response = await client.get("/api/v1/items", params={"limit": "1", "x": padding})
        assert response.status_code == 200


class TestHeaders:
    async def test_one_large_header_is_431(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/items", headers={"X-Padding": "a" * 20_000})
        _problem(response, 431, "header-fields-too-large")
        await _still_serving(client)

    async def test_many_headers_are_431(self, client: httpx.AsyncClient) -> None:
        headers = {f"X-Padding-{i}": "a" * 100 for i in range(200)}
        response = await client.get("/api/v1/items", headers=headers)
        _problem(response, 431, "header-fields-too-large")
        await _still_serving(client)

    async def test_a_megabyte_header_is_431(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/items", headers={"X-Padding": "a" * 1_000_000})
        _problem(response, 431, "header-fields-too-large")
        await _still_serving(client)


class TestBody:
    async def test_declared_length_over_the_cap_is_413_before_auth(
        self, client: httpx.AsyncClient
    ) -> None:
        body = b'{"name": "' + b"a" * (1024 * 1024) + b'", "size": 1}'
        headers = {"Content-Type": "application/json"}
        response = await client.post("/api/v1/items", content=body, headers=headers)
        _problem(response, 413, "content-too-large")
        await _still_serving(client)

    async def test_streamed_body_over_the_cap_is_413(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        async def chunks() -> AsyncIterator[bytes]:
            yield b'{"name": "'
            for _ in range(40):
                yield b"a" * 32 * 1024
            yield b'", "size": 1}'

        headers = {"Content-Type": "application/json", **bearer(tokens.node("de"))}
        response = await client.post("/api/v1/items", content=chunks(), headers=headers)
        _problem(response, 413, "content-too-large")
        await _still_serving(client)

    async def test_body_under_the_cap_is_served(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        body = {"name": "limits-" + "a" * 50, "size": 3}
        response = await client.post("/api/v1/items", json=body, headers=bearer(tokens.node("de")))
        assert response.status_code == 201, response.text

    async def test_deep_json_body_is_a_problem(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        """Within the size cap, nesting 500,000 deep fails parsing (the JSON parser stops at
        the interpreter's recursion limit): a 4xx problem, not a 500."""
        body = b'{"name": "deep", "size": 1, "tags": ' + b"[" * 500_000 + b"]" * 500_000 + b"}"
        assert len(body) < 1024 * 1024
        headers = {"Content-Type": "application/json", **bearer(tokens.node("de"))}
        response = await client.post("/api/v1/items", content=body, headers=headers)
        assert 400 <= response.status_code < 500, response.text[:300]
        assert response.headers["content-type"] == _PROBLEM
        await _still_serving(client)

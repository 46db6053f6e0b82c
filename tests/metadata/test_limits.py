"""The limits a Node's metadata service holds, against a real uvicorn server: page size, query
and filter sizes, URL, body and import sizes. Each excess is a problem+json naming the field
and the rule (or the size), and the service answers normally afterwards."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest_asyncio
from converge_common.testing.servers import LiveServer
from converge_metadata.app import create_app
from converge_metadata.settings import MetadataSettings

from tests.metadata.conftest import dataset

_PROBLEM = "application/problem+json"
_IMPORT_CAP = 3 * 1024 * 1024  # above the 1 MiB every other route gets


@pytest_asyncio.fixture(loop_scope="session")
async def client(settings: MetadataSettings) -> AsyncIterator[httpx.AsyncClient]:
    server = LiveServer(create_app(settings.model_copy(update={"import_max_bytes": _IMPORT_CAP})))
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
            yield http
    finally:
        await server.stop()


async def _still_serving(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/search", params={"q": "atlas"})
    assert response.status_code == 200, response.text[:300]


def _error(response: httpx.Response, status: int) -> dict[str, str]:
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"] == _PROBLEM
    errors: list[dict[str, str]] = response.json().get("errors", [{}])
    return errors[0]


class TestSearch:
    async def test_page_size_is_capped(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/search", params={"limit": 100_000})
        assert response.status_code == 200
        assert response.json()["limit"] == 100

    async def test_long_free_text_is_422(self, client: httpx.AsyncClient) -> None:
        error = _error(await client.get("/api/v1/search", params={"q": "a" * 501}), 422)
        assert (error["pointer"], error["rule"]) == ("/q", "max_length")
        await _still_serving(client)

    async def test_too_many_filter_values_are_422(self, client: httpx.AsyncClient) -> None:
        keywords = [f"k{i}" for i in range(21)]
        params = httpx.QueryParams({"keyword": keywords})
        error = _error(await client.get("/api/v1/search", params=params), 422)
        assert (error["pointer"], error["rule"]) == ("/keyword", "max_items")
        allowed = await client.get("/api/v1/search", params={"keyword": keywords[:20]})
        assert allowed.status_code == 200
        await _still_serving(client)

    async def test_long_url_is_414(self, client: httpx.AsyncClient) -> None:
        params = httpx.QueryParams({"topic": ["topic_0121" + "x" * 1000] * 9})
        response = await client.get("/api/v1/search", params=params)
        assert response.status_code == 414
        assert response.headers["content-type"] == _PROBLEM
        await _still_serving(client)


class TestBodies:
    async def test_record_body_over_the_default_cap_is_413(
        self, client: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        body = dataset(id="big", description={"en": "a" * (1024 * 1024)})
        response = await client.post("/api/v1/records", json=body, headers=steward)
        assert response.status_code == 413
        assert response.headers["content-type"] == _PROBLEM
        await _still_serving(client)

    async def test_import_has_its_own_cap(
        self, client: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        line = json.dumps(dataset(id="filler", description={"en": "a" * 4000})).encode() + b"\n"
        body = line * (2 * 1024 * 1024 // len(line))  # 2 MiB: over the default, under the cap
        headers = {"Content-Type": "application/x-ndjson", **steward}
        response = await client.post(
            "/api/v1/import", params={"format": "jsonl"}, content=body, headers=headers
        )
        assert response.status_code == 200, response.text[:300]
        assert response.json()["imported"] == len(body) // len(line)
        over = line * (_IMPORT_CAP // len(line) + 1)
        response = await client.post(
            "/api/v1/import", params={"format": "jsonl"}, content=over, headers=headers
        )
        assert response.status_code == 413
        assert response.headers["content-type"] == _PROBLEM
        await _still_serving(client)

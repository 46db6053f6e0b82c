"""Keyset pagination, the envelope and opaque cursors, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest
from converge_common.errors import BadRequest
from converge_common.pagination import PageRequest
from sqlalchemy import insert

from tests.shared.harness import Item


async def _seed(harness: httpx.AsyncClient, names: list[str]) -> None:
    db = harness._transport.app.state.db  # type: ignore[attr-defined]
    async with db.engine.begin() as conn:
        await conn.execute(
            insert(Item),
            [
                {"name": n, "created_at": datetime(2024, 1, 1 + (i % 3)) if i % 4 else None}
                for i, n in enumerate(names)
            ],
        )


async def _walk(harness: httpx.AsyncClient, sort: str) -> list[str]:
    seen: list[str] = []
    cursor = None
    for _ in range(50):
        params = {"sort": sort, **({"cursor": cursor} if cursor else {})}
        page = (await harness.get("/api/v1/items", params=params)).json()
        assert len(page["items"]) <= page["limit"] == 3
        seen.extend(item["name"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError("pagination did not end")


class TestKeysetPaging:
    @pytest.mark.parametrize("sort", ["name", "-name", "created_at", "-created_at", "id", "-id"])
    async def test_every_row_once_in_order(self, harness: httpx.AsyncClient, sort: str) -> None:
        names = [f"item-{i:02d}" for i in range(11)]
        await _seed(harness, names)
        seen = await _walk(harness, sort)
        assert sorted(seen) == names  # every row exactly once
        if sort == "name":
            assert seen == names
        if sort == "-name":
            assert seen == names[::-1]

    async def test_limit_is_capped(self, harness: httpx.AsyncClient) -> None:
        await _seed(harness, [f"n{i}" for i in range(8)])
        page = (await harness.get("/api/v1/items", params={"limit": 500})).json()
        assert page["limit"] == 5
        assert len(page["items"]) == 5

    async def test_sort_outside_allow_list(self, harness: httpx.AsyncClient) -> None:
        response = await harness.get("/api/v1/items", params={"sort": "secret_column"})
        assert response.status_code == 400
        assert response.json()["errors"][0]["pointer"] == "/sort"

    async def test_tampered_cursor(self, harness: httpx.AsyncClient) -> None:
        await _seed(harness, [f"n{i}" for i in range(5)])
        cursor = (await harness.get("/api/v1/items")).json()["next_cursor"]
        tampered = cursor[:-2] + ("AA" if cursor[-2:] != "AA" else "BB")
        response = await harness.get("/api/v1/items", params={"cursor": tampered})
        assert response.status_code == 400
        assert response.json()["errors"][0]["rule"] == "cursor"

    async def test_cursor_of_other_sort(self, harness: httpx.AsyncClient) -> None:
        await _seed(harness, [f"n{i}" for i in range(5)])
        cursor = (await harness.get("/api/v1/items")).json()["next_cursor"]
        response = await harness.get("/api/v1/items", params={"cursor": cursor, "sort": "-id"})
        assert response.status_code == 400


class TestPageRequest:
    def test_descending(self) -> None:
        request = PageRequest.parse(
            limit=None,
            cursor=None,
            sort="-name",
            allowed=["name"],
            default_sort="name",
            default_limit=10,
            max_limit=20,
        )
        assert (request.sort, request.descending, request.limit) == ("name", True, 10)

    def test_zero_limit(self) -> None:
        with pytest.raises(BadRequest):
            PageRequest.parse(
                limit=0,
                cursor=None,
                sort=None,
                allowed=["name"],
                default_sort="name",
                default_limit=10,
                max_limit=20,
            )

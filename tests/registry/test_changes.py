"""The change feed long-polls and wakes when a change is committed."""

from __future__ import annotations

import asyncio

import httpx

from tests.registry.conftest import AdmitNode


async def test_long_poll_wakes_on_a_change(api: httpx.AsyncClient, admit: AdmitNode) -> None:
    start = (await api.get("/api/v1/changes", params={"since": -1})).json()["last_seq"]
    poll = asyncio.create_task(api.get("/api/v1/changes", params={"since": start, "wait": 20}))
    await asyncio.sleep(0.1)
    assert not poll.done()
    await admit("de")
    response = await asyncio.wait_for(poll, timeout=15)
    items = response.json()["items"]
    assert [(i["type"], i["node_id"]) for i in items] == [("node.admitted", "de")]
    assert response.json()["last_seq"] == items[-1]["seq"]


async def test_without_wait_answers_at_once(api: httpx.AsyncClient) -> None:
    response = await api.get("/api/v1/changes", params={"since": 0})
    assert response.json() == {"items": [], "last_seq": 0}


async def test_since_is_exclusive(api: httpx.AsyncClient, admit: AdmitNode) -> None:
    await admit("de")
    await admit("fi")
    first = (await api.get("/api/v1/changes", params={"since": 0, "limit": 1})).json()
    second = (await api.get("/api/v1/changes", params={"since": first["last_seq"]})).json()
    assert [i["node_id"] for i in first["items"] + second["items"]] == ["de", "fi"]

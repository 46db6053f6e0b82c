"""FAIR Data Point style pings: held pending; anonymous ones rate-limited per client."""

from __future__ import annotations

import httpx
from converge_common.testing.plugin import Tokens, bearer


async def test_ping_pending_for_admin(api: httpx.AsyncClient, tokens: Tokens) -> None:
    body = {"clientUrl": "http://127.0.0.1:9/fdp"}
    assert (await api.post("/api/v1/ping", json=body)).status_code == 204
    assert (await api.post("/api/v1/ping", json=body)).status_code == 204
    assert (await api.get("/api/v1/pings")).status_code == 401
    assert (await api.get("/api/v1/pings", headers=bearer(tokens.nobody()))).status_code == 403
    pings = (await api.get("/api/v1/pings", headers=bearer(tokens.admin()))).json()
    assert [(p["client_url"], p["status"], p["pings"]) for p in pings] == [
        ("http://127.0.0.1:9/fdp", "pending", 2)
    ]


async def test_anonymous_rate_limited(api: httpx.AsyncClient, tokens: Tokens) -> None:
    body = {"clientUrl": "http://127.0.0.1:9/other"}
    statuses = [(await api.post("/api/v1/ping", json=body)).status_code for _ in range(11)]
    assert statuses == [204] * 10 + [429]
    authenticated = await api.post("/api/v1/ping", json=body, headers=bearer(tokens.node("de")))
    assert authenticated.status_code == 204


async def test_metadata_address_refused(api: httpx.AsyncClient) -> None:
    response = await api.post("/api/v1/ping", json={"clientUrl": "http://169.254.169.254/"})
    assert response.status_code == 422

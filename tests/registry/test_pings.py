"""FAIR Data Point style pings: held pending; anonymous ones rate-limited per client."""

from __future__ import annotations

import httpx
from converge_common.ratelimit import RateLimiter, parse_rules
from converge_common.testing.plugin import Tokens, bearer
from fastapi import FastAPI

# the hand-written limiter's bound on remembered clients
OLD_MAX_CLIENTS = 100_000


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


async def test_limited_with_more_clients_than_the_old_bound(
    registry_app: FastAPI, api: httpx.AsyncClient
) -> None:
    # the hand-written limiter dropped a new client's history before counting its hit once it
    # remembered more than OLD_MAX_CLIENTS clients: no new client was ever limited again
    limiter = registry_app.state.rate_limiter
    assert isinstance(limiter, RateLimiter)
    rules = parse_rules("10 per hour")
    for i in range(OLD_MAX_CLIENTS + 1):
        await limiter.hit("ping", rules, f"ip:10.{i >> 16}.{(i >> 8) & 255}.{i & 255}")
    body = {"clientUrl": "http://127.0.0.1:9/crowded"}
    statuses = [(await api.post("/api/v1/ping", json=body)).status_code for _ in range(11)]
    assert statuses == [204] * 10 + [429]


async def test_429_names_the_limit(api: httpx.AsyncClient) -> None:
    body = {"clientUrl": "http://127.0.0.1:9/third"}
    for _ in range(10):
        allowed = await api.post("/api/v1/ping", json=body)
    assert allowed.headers["RateLimit-Policy"] == '"ping";q=10;w=3600'
    assert allowed.headers["RateLimit"].startswith('"ping";r=0;')
    refused = await api.post("/api/v1/ping", json=body)
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert 3500 <= int(refused.headers["Retry-After"]) <= 3600


async def test_metadata_address_refused(api: httpx.AsyncClient) -> None:
    response = await api.post("/api/v1/ping", json={"clientUrl": "http://169.254.169.254/"})
    assert response.status_code == 422

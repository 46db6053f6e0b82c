"""What portals and operators rely on: CORS, rate limits, metrics, request ids, SSRF guard."""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from converge_common.testing.asgi import asgi_client
from converge_common.testing.plugin import Tokens, bearer
from converge_gateway.app import create_app
from converge_gateway.settings import GatewaySettings
from fastapi import FastAPI

from tests.gateway.conftest import StartFederation, corpus
from tests.gateway.servers import free_port
from tests.gateway.simnode import SimNode

REDIS = ("127.0.0.1", 6379)


def redis_running() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=0.5):
            return True
    except OSError:
        return False


@asynccontextmanager
async def client_at(app: FastAPI, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client calling ``app`` in-process from another address."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def node() -> SimNode:
    return SimNode(corpus("de", ["protein one", "protein two"]))


class TestRateLimit:
    async def test_429_with_retry_after(self, federation: StartFederation) -> None:
        fed = await federation({"de": node()}, rate_limit_per_minute=6, rate_limit_burst=2)
        for _ in range(2):
            assert (await fed.client.get("/api/v1/search")).status_code == 200
        refused = await fed.client.get("/api/v1/search")
        assert refused.status_code == 429
        assert refused.headers["content-type"] == "application/problem+json"
        # 2 in any 20 s (the time 6 a minute takes to allow 2), and 6 in any minute
        assert 1 <= int(refused.headers["Retry-After"]) <= 20
        assert (
            refused.headers["RateLimit-Policy"] == '"gateway-60s";q=6;w=60, "gateway-20s";q=2;w=20'
        )
        assert refused.headers["RateLimit"].startswith('"gateway-20s";r=0;t=')
        assert len(fed.nodes["de"].calls) == 2

    async def test_limited_per_token_subject(
        self, federation: StartFederation, tokens: Tokens, oidc_settings: dict[str, Any]
    ) -> None:
        fed = await federation(
            {"de": node()}, rate_limit_per_minute=6, rate_limit_burst=1, **oidc_settings
        )
        alice = bearer(tokens.user("alice"))
        assert (await fed.client.get("/api/v1/search", headers=alice)).status_code == 200
        assert (await fed.client.get("/api/v1/search", headers=alice)).status_code == 429
        # the same address without the token is another client
        assert (await fed.client.get("/api/v1/search")).status_code == 200
        bob = bearer(tokens.user("bob"))
        assert (await fed.client.get("/api/v1/search", headers=bob)).status_code == 200

    async def test_successful_answers_carry_the_ratelimit_headers(
        self, federation: StartFederation
    ) -> None:
        fed = await federation({"de": node()}, rate_limit_per_minute=600, rate_limit_burst=60)
        response = await fed.client.get("/api/v1/search")
        assert response.status_code == 200
        assert response.headers["RateLimit"] == '"gateway-6s";r=59;t=6'
        # routes that answer with their own Response (records, OAI-PMH, DCAT) too
        dcat = await fed.client.get("/dcat/catalog")
        assert dcat.headers["RateLimit"].startswith('"gateway-6s";r=58;')

    async def test_many_clients_do_not_free_each_other(self, federation: StartFederation) -> None:
        # the hand-written limiters forgot a client's history once more clients than their
        # bound had called: here every client keeps its own count however many there are
        # (rate_limit_max_clients was the old bound; the setting is gone and ignored now)
        fed = await federation(
            {"de": node()}, rate_limit_per_minute=6, rate_limit_burst=2, rate_limit_max_clients=100
        )
        addresses = [f"10.0.{i // 250}.{i % 250}" for i in range(300)]
        statuses: dict[str, list[int]] = {a: [] for a in addresses}
        for _ in range(3):
            for address in addresses:
                async with client_at(fed.app, address) as client:
                    statuses[address].append((await client.get("/api/v1/nodes")).status_code)
        assert all(seen == [200, 200, 429] for seen in statuses.values())

    async def test_a_shared_redis_storage_gives_replicas_one_limit(self, tmp_path: Any) -> None:
        if not redis_running():
            pytest.skip("no Redis at 127.0.0.1:6379")
        settings = GatewaySettings(
            data_dir=tmp_path,
            log_json=False,
            directory_snapshot=False,
            rate_limit_per_minute=6,
            rate_limit_burst=2,
            rate_limit_storage_url="redis://127.0.0.1:6379/0",
            rate_limit_key_prefix=f"converge-test-{uuid.uuid4().hex}",
        )
        replica_a, replica_b = create_app(settings), create_app(settings)
        async with asgi_client(replica_a) as a, asgi_client(replica_b) as b:
            assert (await a.get("/api/v1/nodes")).status_code == 200
            assert (await b.get("/api/v1/nodes")).status_code == 200
            refused = await a.get("/api/v1/nodes")
            assert refused.status_code == 429
            assert (await b.get("/api/v1/nodes")).status_code == 429
            assert refused.headers["RateLimit"].startswith('"gateway-20s";r=0;')
            assert replica_a.state.rate_limiter.shared
            await replica_a.state.rate_limiter.reset()

    async def test_an_unreachable_storage_lets_requests_through(self, tmp_path: Any) -> None:
        settings = GatewaySettings(
            data_dir=tmp_path,
            log_json=False,
            directory_snapshot=False,
            rate_limit_per_minute=6,
            rate_limit_burst=1,
            rate_limit_storage_url=f"redis://127.0.0.1:{free_port()}/0",
        )
        app = create_app(settings)
        async with asgi_client(app) as client:
            for _ in range(3):
                response = await client.get("/api/v1/nodes")
                assert response.status_code == 200
                assert "RateLimit" not in response.headers
            metrics = (await client.get("/metrics")).text
            assert "rate_limit_storage_errors_total 3.0" in metrics

    async def test_invalid_token_is_refused(
        self, federation: StartFederation, oidc_settings: dict[str, Any]
    ) -> None:
        fed = await federation({"de": node()}, **oidc_settings)
        response = await fed.client.get("/api/v1/search", headers=bearer("not.a.token"))
        assert response.status_code == 401


class TestCallsToNodes:
    async def test_request_id_passed_and_caller_token_never_forwarded(
        self, federation: StartFederation, tokens: Tokens, oidc_settings: dict[str, Any]
    ) -> None:
        fed = await federation({"de": node()}, **oidc_settings)
        headers = {**bearer(tokens.user("alice")), "X-Request-ID": "portal-req-42"}
        response = await fed.client.get("/api/v1/search", params={"q": "x"}, headers=headers)
        assert response.status_code == 200
        seen = fed.nodes["de"].headers_seen[-1]
        assert seen["x-request-id"] == "portal-req-42"
        assert "authorization" not in seen

    async def test_private_targets_refused_unless_allowed(
        self, federation: StartFederation
    ) -> None:
        fed = await federation({"de": node()}, allow_private_targets=False)
        page = await fed.search(q="protein")
        assert page["nodes"]["de"]["status"] == "error"
        assert page["nodes"]["de"]["reason"] == "refused target (SSRF guard)"
        assert fed.nodes["de"].calls == []


class TestOperators:
    async def test_metrics_per_node(self, federation: StartFederation) -> None:
        fed = await federation({"de": node(), "fi": SimNode(mode="fail")})
        await fed.search(q="protein")
        text = (await fed.client.get("/metrics")).text
        assert 'gateway_node_requests_total{node="de",operation="search",outcome="ok"} 1.0' in text
        assert (
            'gateway_node_requests_total{node="fi",operation="search",outcome="error"} 1.0' in text
        )
        assert (
            'gateway_node_request_duration_seconds_count{node="de",operation="search"} 1.0' in text
        )

    async def test_cors_for_portal_origins(self, federation: StartFederation) -> None:
        fed = await federation({"de": node()}, cors_origins=["https://portal.example.org"])
        preflight = await fed.client.options(
            "/api/v1/search",
            headers={
                "Origin": "https://portal.example.org",
                "Access-Control-Request-Method": "GET",
            },
        )
        assert preflight.headers["access-control-allow-origin"] == "https://portal.example.org"
        allowed = await fed.client.get(
            "/api/v1/nodes", headers={"Origin": "https://portal.example.org"}
        )
        # a portal's script may read its remaining quota
        assert "ratelimit" in allowed.headers["access-control-expose-headers"].lower()
        other = await fed.client.get("/api/v1/search", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers

    async def test_directory_view(self, federation: StartFederation) -> None:
        fed = await federation({"de": node()}, states={"de": "degraded"})
        body = (await fed.client.get("/api/v1/nodes")).json()
        assert body["nodes"][0]["id"] == "de"
        assert body["nodes"][0]["searched"] is True
        assert body["nodes"][0]["service_state"] == "degraded"

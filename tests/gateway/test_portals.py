"""What portals and operators rely on: CORS, rate limits, metrics, request ids, SSRF guard."""

from __future__ import annotations

from typing import Any

from converge_common.testing.plugin import Tokens, bearer

from tests.gateway.conftest import StartFederation, corpus
from tests.gateway.simnode import SimNode


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
        assert 1 <= int(refused.headers["Retry-After"]) <= 10
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
        other = await fed.client.get("/api/v1/search", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers

    async def test_directory_view(self, federation: StartFederation) -> None:
        fed = await federation({"de": node()}, states={"de": "degraded"})
        body = (await fed.client.get("/api/v1/nodes")).json()
        assert body["nodes"][0]["id"] == "de"
        assert body["nodes"][0]["searched"] is True
        assert body["nodes"][0]["service_state"] == "degraded"

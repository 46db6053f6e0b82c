"""Every response of a service built by the shared library carries the security headers:
answers, problems, 404s of unknown routes, the 500 of an unhandled error, pages and docs."""

from __future__ import annotations

import httpx
import pytest
from converge_common.headers import API_POLICY, DOCS_POLICY, PAGE_POLICY

from tests.shared.harness import HarnessSettings, create_harness_app


def assert_secured(response: httpx.Response, policy: str = API_POLICY) -> None:
    assert response.headers["content-security-policy"] == policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


class TestApiAnswers:
    @pytest.mark.parametrize(
        ("path", "status"),
        [
            ("/api/v1/items", 200),
            ("/api/v1/items/999", 404),  # a typed problem
            ("/api/v1/items?limit=x", 422),  # a validation problem
            ("/api/v1/nothing-here", 404),  # no such route
            ("/api/v1/whoami", 401),  # no token
            ("/openapi.json", 200),
            ("/livez", 200),
            ("/metrics", 200),
        ],
    )
    async def test_api_policy(self, harness: httpx.AsyncClient, path: str, status: int) -> None:
        response = await harness.get(path)
        assert response.status_code == status
        assert_secured(response)

    async def test_method_not_allowed(self, harness: httpx.AsyncClient) -> None:
        response = await harness.delete("/api/v1/items")
        assert response.status_code == 405
        assert_secured(response)

    async def test_unhandled_error(self, harness_settings: HarnessSettings) -> None:
        app = create_harness_app(harness_settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                response = await client.get("/api/v1/boom")
        assert response.status_code == 500
        assert_secured(response)


class TestPages:
    async def test_html_gets_the_page_policy(self, harness: httpx.AsyncClient) -> None:
        response = await harness.get("/api/v1/page")
        assert response.headers["content-type"].startswith("text/html")
        assert_secured(response, PAGE_POLICY)
        assert PAGE_POLICY.startswith("default-src 'self'")

    async def test_a_response_keeps_its_own_policy(self, harness: httpx.AsyncClient) -> None:
        response = await harness.get("/api/v1/framed-page")
        assert response.headers.get_list("content-security-policy") == [
            "default-src 'self'; frame-ancestors https://portal.example.org"
        ]
        assert response.headers["x-content-type-options"] == "nosniff"

    @pytest.mark.parametrize("path", ["/docs", "/redoc"])
    async def test_api_docs_may_load_their_bundles(
        self, harness: httpx.AsyncClient, path: str
    ) -> None:
        response = await harness.get(path)
        assert response.status_code == 200
        assert_secured(response, DOCS_POLICY)
        assert "https://" not in response.text
        assert "script-src 'self';" in DOCS_POLICY


class TestSettings:
    async def test_policies_are_settings(self, harness_settings: HarnessSettings) -> None:
        settings = harness_settings.model_copy(
            update={
                "content_security_policy": "default-src 'none'; sandbox",
                "page_content_security_policy": "default-src 'self' https://cdn.example.org",
            }
        )
        app = create_harness_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                api = await client.get("/api/v1/items")
                page = await client.get("/api/v1/page")
        assert_secured(api, "default-src 'none'; sandbox")
        assert_secured(page, "default-src 'self' https://cdn.example.org")

"""RFC 9457 problem details from the one error handler."""

from __future__ import annotations

import httpx
import pytest
from converge_common.errors import Conflict, FieldError, json_pointer


class TestJsonPointer:
    def test_escapes_tilde_and_slash(self) -> None:
        assert json_pointer(("a/b", "c~d", 0)) == "/a~1b/c~0d/0"

    def test_root(self) -> None:
        assert json_pointer(()) == ""


class TestExtensions:
    def test_an_extension_may_not_replace_a_member(self) -> None:
        # a Conflict raised with status="draft" once answered {"status": "draft"} (issue #10)
        with pytest.raises(TypeError, match="status"):
            Conflict("wrong state", status="draft")

    def test_other_extensions_are_members_of_the_body(self) -> None:
        body = Conflict("wrong state", value_status="draft").to_problem("/x")
        assert body["status"] == 409
        assert body["value_status"] == "draft"


class TestValidationErrors:
    async def test_anonymous_write_is_refused_before_validation(
        self, harness: httpx.AsyncClient
    ) -> None:
        response = await harness.post("/api/v1/items", json={"name": "x"})
        assert response.status_code == 401

    async def test_query_errors_as_pointers(self, harness: httpx.AsyncClient) -> None:
        response = await harness.get("/api/v1/items", params={"limit": "many"})
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body["status"] == 422
        assert body["errors"] == [
            FieldError("/limit", "int_parsing", body["errors"][0]["detail"]) | {"in": "query"}
        ]

    async def test_unknown_route_is_problem_json(self, harness: httpx.AsyncClient) -> None:
        response = await harness.get("/api/v1/nope")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["instance"] == "/api/v1/nope"

    async def test_typed_error(self, harness: httpx.AsyncClient) -> None:
        response = await harness.get("/api/v1/items/999")
        assert response.status_code == 404
        assert response.json()["detail"] == "No item 999"
        assert response.json()["type"].endswith("/not-found")


class TestInternalErrors:
    async def test_500_leaks_nothing(self, harness_settings: object) -> None:
        from tests.shared.harness import create_harness_app

        app = create_harness_app(harness_settings)  # type: ignore[arg-type]
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                response = await client.get("/api/v1/boom")
        assert response.status_code == 500
        assert response.headers["content-type"] == "application/problem+json"
        assert "SELECT" not in response.text
        assert "Traceback" not in response.text


@pytest.mark.parametrize("method", ["get", "post"])
async def test_request_id_echoed(harness: httpx.AsyncClient, method: str) -> None:
    response = await harness.request(
        method.upper(), "/api/v1/items/1", headers={"X-Request-ID": "req-123"}
    )
    assert response.headers["x-request-id"] == "req-123"

"""Text and integers the registry refuses at its edge (issue #10), on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import httpx
import pytest
from converge_common.testing.plugin import Tokens, bearer

from tests.registry.conftest import AdmitNode


def _errors(response: httpx.Response) -> set[tuple[str, str, str]]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return {(e["pointer"], e["rule"], e.get("in", "body")) for e in response.json()["errors"]}


class TestIntegerBounds:
    @pytest.mark.parametrize("since", ["2147483648", "9223372036854775808", str(10**30)])
    async def test_changes_since(self, api: httpx.AsyncClient, since: str) -> None:
        response = await api.get("/api/v1/changes", params={"since": since})
        assert _errors(response) == {("/since", "maximum", "query")}

    async def test_changes_since_largest(self, api: httpx.AsyncClient) -> None:
        response = await api.get("/api/v1/changes", params={"since": 2**31 - 1})
        assert response.status_code == 200
        assert response.json()["items"] == []

    @pytest.mark.parametrize("wait", ["nan", "-inf", "-1"])
    async def test_changes_wait(self, api: httpx.AsyncClient, wait: str) -> None:
        response = await api.get("/api/v1/changes", params={"wait": wait})
        assert {p for p, _, _ in _errors(response)} == {"/wait"}

    @pytest.mark.parametrize("path", ["/api/v1/nodes", "/api/v1/people"])
    async def test_page_limit(self, api: httpx.AsyncClient, path: str) -> None:
        response = await api.get(path, params={"limit": "9223372036854775808"})
        assert _errors(response) == {("/limit", "maximum", "query")}


class TestText:
    @pytest.mark.parametrize("name", ["expertise", "language"])
    async def test_people_filters(self, api: httpx.AsyncClient, name: str) -> None:
        response = await api.get("/api/v1/people", params={name: "topic_0121\x00"})
        assert _errors(response) == {(f"/{name}", "text", "query")}

    async def test_person_path(self, api: httpx.AsyncClient, tokens: Tokens) -> None:
        response = await api.patch(
            "/api/v1/people/abc%00", json={"role": "x"}, headers=bearer(tokens.node("de"))
        )
        assert _errors(response) == {("/person_id", "text", "path")}

    async def test_person_body(
        self, api: httpx.AsyncClient, admit: AdmitNode, tokens: Tokens
    ) -> None:
        await admit("de")
        body = {"name": "Ana\x00", "role": "data\ud800 steward"}
        response = await api.post(
            "/api/v1/nodes/de/people",
            content=json.dumps(body),
            headers={**bearer(tokens.node("de")), "Content-Type": "application/json"},
        )
        assert _errors(response) == {("/name", "text", "body"), ("/role", "text", "body")}
        listed = await api.get("/api/v1/people", params={"node": "de"})
        assert listed.json()["items"] == []

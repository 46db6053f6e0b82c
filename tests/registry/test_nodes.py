"""Admitting and changing Nodes is the federation admin's; reading them is public."""

from __future__ import annotations

import httpx
from converge_common.testing.plugin import Tokens, bearer

from tests.registry.conftest import AdmitNode

NODE = {"id": "pt", "name": "ELIXIR Portugal", "country": "PT", "client_ids": ["node-pt"]}


class TestAdmit:
    async def test_roles(self, api: httpx.AsyncClient, tokens: Tokens) -> None:
        assert (await api.post("/api/v1/nodes", json=NODE)).status_code == 401
        for token in (tokens.node("pt"), tokens.nobody(), tokens.user("alice")):
            response = await api.post("/api/v1/nodes", json=NODE, headers=bearer(token))
            assert response.status_code == 403
        created = await api.post("/api/v1/nodes", json=NODE, headers=bearer(tokens.user("carol")))
        assert created.status_code == 201
        assert created.json()["status"] == "accepted"
        again = await api.post("/api/v1/nodes", json=NODE, headers=bearer(tokens.admin()))
        assert again.status_code == 409

    async def test_invalid(self, api: httpx.AsyncClient, tokens: Tokens) -> None:
        body = {**NODE, "country": "Portugal", "id": "PT!"}
        response = await api.post("/api/v1/nodes", json=body, headers=bearer(tokens.admin()))
        assert response.status_code == 422
        assert {e["pointer"] for e in response.json()["errors"]} == {"/country", "/id"}


class TestUpdate:
    async def test_suspend_hides_services_and_stops_writes(
        self, api: httpx.AsyncClient, admit: AdmitNode, tokens: Tokens
    ) -> None:
        await admit("pt")
        url = "/api/v1/nodes/pt/services/impact"
        body = {"base_url": "http://127.0.0.1:9", "api_version": "1"}
        assert (await api.put(url, json=body, headers=bearer(tokens.node("pt")))).status_code == 201
        patch = {"status": "suspended"}
        assert (await api.patch("/api/v1/nodes/pt", json=patch)).status_code == 401
        denied = await api.patch("/api/v1/nodes/pt", json=patch, headers=bearer(tokens.node("pt")))
        assert denied.status_code == 403
        done = await api.patch("/api/v1/nodes/pt", json=patch, headers=bearer(tokens.admin()))
        assert done.status_code == 200
        assert done.json()["status"] == "suspended"
        assert (await api.put(url, json=body, headers=bearer(tokens.node("pt")))).status_code == 403
        assert (await api.get("/api/v1/services")).json()["items"] == []
        feed = (await api.get("/api/v1/changes")).json()["items"]
        assert feed[-1]["type"] == "node.updated"
        assert feed[-1]["data"]["status"] == "suspended"

    async def test_unknown(self, api: httpx.AsyncClient, tokens: Tokens) -> None:
        response = await api.patch(
            "/api/v1/nodes/zz", json={"name": "x"}, headers=bearer(tokens.admin())
        )
        assert response.status_code == 404


class TestRead:
    async def test_public_list_and_detail(
        self, api: httpx.AsyncClient, admit: AdmitNode, tokens: Tokens
    ) -> None:
        for node in ("de", "fi", "nl"):
            await admit(node)
        page = (await api.get("/api/v1/nodes", params={"limit": 2})).json()
        assert [n["id"] for n in page["items"]] == ["de", "fi"]
        rest = (await api.get("/api/v1/nodes", params={"cursor": page["next_cursor"]})).json()
        assert [n["id"] for n in rest["items"]] == ["nl"]
        assert "client_ids" not in page["items"][0]
        anonymous = (await api.get("/api/v1/nodes/de")).json()
        assert anonymous["client_ids"] is None
        own = (await api.get("/api/v1/nodes/de", headers=bearer(tokens.node("de")))).json()
        assert own["client_ids"] == ["node-de"]
        other = (await api.get("/api/v1/nodes/de", headers=bearer(tokens.node("fi")))).json()
        assert other["client_ids"] is None

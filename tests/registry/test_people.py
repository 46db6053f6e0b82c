"""The expert network: Node stewards manage it; anyone searches; e-mail only when signed in."""

from __future__ import annotations

from typing import Any

import httpx
from converge_common.testing.plugin import Tokens, bearer

from tests.registry.conftest import AdmitNode

ANA = {
    "name": "Ana Proteómica",
    "orcid": "0000-0002-1825-0097",
    "role": "data steward",
    "expertise": ["http://edamontology.org/topic_0121", "topic_3474"],
    "languages": ["pt", "EN"],
    "email": "ana@example.org",
}


async def _add(
    api: httpx.AsyncClient, token: str, node: str, body: dict[str, Any]
) -> httpx.Response:
    return await api.post(f"/api/v1/nodes/{node}/people", json=body, headers=bearer(token))


class TestManage:
    async def test_roles(self, api: httpx.AsyncClient, admit: AdmitNode, tokens: Tokens) -> None:
        await admit("de")
        assert (await api.post("/api/v1/nodes/de/people", json=ANA)).status_code == 401
        assert (await _add(api, tokens.node("fi"), "de", ANA)).status_code == 403
        assert (await _add(api, tokens.user("bob"), "de", ANA)).status_code == 403
        created = await _add(api, tokens.user("alice"), "de", ANA)
        assert created.status_code == 201, created.text
        person = created.json()
        assert person["expertise"] == ["topic_0121", "topic_3474"]
        assert person["languages"] == ["en", "pt"]
        url = f"/api/v1/people/{person['id']}"
        denied = await api.patch(url, json={"role": "x"}, headers=bearer(tokens.node("fi")))
        assert denied.status_code == 403
        changed = await api.patch(
            url, json={"languages": ["pt"]}, headers=bearer(tokens.node("de"))
        )
        assert changed.json()["languages"] == ["pt"]
        assert (await api.delete(url, headers=bearer(tokens.user("bob")))).status_code == 403
        assert (await api.delete(url, headers=bearer(tokens.user("alice")))).status_code == 204

    async def test_bad_orcid_and_topic(
        self, api: httpx.AsyncClient, admit: AdmitNode, tokens: Tokens
    ) -> None:
        await admit("de")
        body = {**ANA, "orcid": "0000-0002-1825-0098", "expertise": ["proteomics"]}
        response = await _add(api, tokens.node("de"), "de", body)
        assert response.status_code == 422
        rules = {e["pointer"]: e["rule"] for e in response.json()["errors"]}
        assert rules == {"/orcid": "orcid_checksum", "/expertise": "edam_topic"}

    async def test_list_items_that_are_not_strings(
        self, api: httpx.AsyncClient, admit: AdmitNode, tokens: Tokens
    ) -> None:
        await admit("de")
        body = {**ANA, "languages": ["", 0], "expertise": [1, "topic_0121"]}
        response = await _add(api, tokens.node("de"), "de", body)
        assert response.status_code == 422
        pointers = {e["pointer"] for e in response.json()["errors"]}
        assert {"/languages/1", "/expertise/0"} <= pointers


class TestSearch:
    async def test_proteomics_in_portuguese(
        self, api: httpx.AsyncClient, admit: AdmitNode, tokens: Tokens
    ) -> None:
        await admit("pt")
        await admit("de")
        await _add(api, tokens.node("pt"), "pt", ANA)
        other = {**ANA, "name": "Bernd", "orcid": None, "languages": ["de"], "email": None}
        await _add(api, tokens.node("de"), "de", other)
        params = {"expertise": "topic_0121", "language": "pt"}
        found = (await api.get("/api/v1/people", params=params)).json()["items"]
        assert [p["name"] for p in found] == ["Ana Proteómica"]
        assert found[0]["email"] is None
        signed_in = await api.get("/api/v1/people", params=params, headers=bearer(tokens.nobody()))
        assert signed_in.json()["items"][0]["email"] == "ana@example.org"
        both = (await api.get("/api/v1/people", params={"expertise": "topic_0121"})).json()
        assert [p["name"] for p in both["items"]] == ["Ana Proteómica", "Bernd"]
        none = await api.get("/api/v1/people", params={"expertise": "topic_0121", "language": "fi"})
        assert none.json()["items"] == []

"""The indicator catalogue: shipped starter set, and a Node's own indicators."""

from __future__ import annotations

import httpx
from converge_impact.vocabulary import PATHWAYS

from tests.impact.conftest import Headers

CONTRACT_FIELDS = {
    "code",
    "name",
    "description",
    "pathway",
    "type",
    "unit",
    "combine_nodes",
    "combine_periods",
    "source",
    "derivation",
    "scope",
}
OWN = {
    "code": "helpdesk.tickets",
    "name": "Helpdesk tickets",
    "description": "Tickets closed by the Node's helpdesk",
    "pathway": "research_efficiency",
    "type": "output",
    "unit": "tickets",
    "combine_nodes": "sum",
    "combine_periods": "sum",
}


class TestCatalogue:
    async def test_every_pathway_is_covered(self, api: httpx.AsyncClient) -> None:
        items = (await api.get("/api/v1/indicators")).json()["items"]
        assert {i["pathway"] for i in items} == set(PATHWAYS)
        assert all(set(i) == CONTRACT_FIELDS for i in items)
        assert all(i["scope"] == "federation" for i in items)

    async def test_derived_indicators_state_their_derivation(self, api: httpx.AsyncClient) -> None:
        items = (await api.get("/api/v1/indicators", params={"source": "derived"})).json()["items"]
        codes = {i["code"] for i in items}
        assert {
            "usage.investigations.total",
            "usage.investigations.unique",
            "usage.requests.total",
            "usage.requests.unique",
            "service.availability",
            "fair.score.mean",
        } <= codes
        assert all(i["derivation"] for i in items)

    async def test_one_and_unknown(self, api: httpx.AsyncClient) -> None:
        one = (await api.get("/api/v1/indicators/staff.fte")).json()
        assert one["unit"] == "FTE"
        assert one["source"] == "reported"
        missing = await api.get("/api/v1/indicators/no.such")
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"


class TestNodeIndicators:
    async def test_roles(
        self,
        api: httpx.AsyncClient,
        admin: Headers,
        steward: Headers,
        other_node: Headers,
    ) -> None:
        assert (await api.post("/api/v1/indicators", json=OWN)).status_code == 401
        assert (await api.post("/api/v1/indicators", json=OWN, headers=steward)).status_code == 403
        assert (
            await api.post("/api/v1/indicators", json=OWN, headers=other_node)
        ).status_code == 403
        created = await api.post("/api/v1/indicators", json=OWN, headers=admin)
        assert created.status_code == 201, created.text
        assert created.json()["scope"] == "node"
        assert created.json()["source"] == "reported"
        again = await api.post("/api/v1/indicators", json=OWN, headers=admin)
        assert again.status_code == 409

    async def test_federation_entries_are_read_only(
        self, api: httpx.AsyncClient, admin: Headers
    ) -> None:
        body = {k: v for k, v in OWN.items() if k != "code"}
        response = await api.put("/api/v1/indicators/staff.fte", json=body, headers=admin)
        assert response.status_code == 403
        assert (await api.get("/api/v1/indicators/staff.fte")).json()["name"] == "Staff (FTE)"

    async def test_update_own(self, api: httpx.AsyncClient, admin: Headers) -> None:
        await api.post("/api/v1/indicators", json=OWN, headers=admin)
        body = {k: v for k, v in OWN.items() if k != "code"} | {"name": "Tickets closed"}
        response = await api.put("/api/v1/indicators/helpdesk.tickets", json=body, headers=admin)
        assert response.status_code == 200
        assert response.json()["name"] == "Tickets closed"

    async def test_bad_input_names_the_field(self, api: httpx.AsyncClient, admin: Headers) -> None:
        body = OWN | {"code": "Bad Code", "pathway": "happiness"}
        response = await api.post("/api/v1/indicators", json=body, headers=admin)
        assert response.status_code == 422
        pointers = {e["pointer"] for e in response.json()["errors"]}
        assert {"/code", "/pathway"} <= pointers

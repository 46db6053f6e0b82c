"""``?format=`` on the records endpoint: the names the gateway and the landing page use pick
the representation before ``Accept``; an unknown name is a 406 problem."""

from __future__ import annotations

import httpx
import pytest
from lxml import etree
from rdflib import Graph


class TestFormatParameter:
    @pytest.mark.parametrize(
        ("fmt", "media"),
        [
            ("jsonld", "application/ld+json"),
            ("json-ld", "application/ld+json"),
            ("datacite", "application/vnd.datacite.datacite+xml"),
            ("ttl", "text/turtle"),
            ("turtle", "text/turtle"),
            ("rdf", "application/rdf+xml"),
            ("rdfxml", "application/rdf+xml"),
            ("application/rdf+xml", "application/rdf+xml"),
        ],
    )
    async def test_names_choose_the_representation(
        self, client: httpx.AsyncClient, fmt: str, media: str
    ) -> None:
        response = await client.get(
            "/api/v1/records/mouse-atlas",
            params={"format": fmt},
            headers={"Accept": "application/json"},
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].split(";")[0] == media
        if media == "text/turtle":
            assert len(Graph().parse(data=response.content, format="turtle")) > 20
        elif media.endswith("xml"):
            etree.fromstring(response.content)

    async def test_jsonld_is_bioschemas(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/records/mouse-atlas", params={"format": "jsonld"})
        body = response.json()
        assert body["@type"] == "Dataset"
        assert "schema.org" in str(body["@context"])

    async def test_json_overrides_accept(self, client: httpx.AsyncClient) -> None:
        response = await client.get(
            "/api/v1/records/mouse-atlas",
            params={"format": "json"},
            headers={"Accept": "text/turtle"},
        )
        assert response.headers["content-type"].startswith("application/json")
        assert response.json()["id"] == "mouse-atlas"

    async def test_unknown_format_is_a_problem(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/records/mouse-atlas", params={"format": "csv"})
        assert response.status_code == 406
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["parameter"] == "format"
        assert "jsonld" in problem["detail"]

    async def test_landing_page_link_answers_json_ld(self, client: httpx.AsyncClient) -> None:
        page = (await client.get("/records/mouse-atlas")).text
        link = "https://metadata.de.example.org/api/v1/records/mouse-atlas?format=jsonld"
        assert link in page
        response = await client.get(link.removeprefix("https://metadata.de.example.org"))
        assert response.headers["content-type"].startswith("application/ld+json")

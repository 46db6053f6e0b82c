"""Landing pages with Bioschemas JSON-LD, the sitemap, and the record URL's content
negotiation (Bioschemas JSON-LD, DataCite XML valid against the kernel-4 XSD, DCAT RDF)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any

import httpx
import pytest
from lxml import etree
from rdflib import Graph, URIRef

from tests.metadata.publishing.sample import biotools_records

CONFORMS = "http://purl.org/dc/terms/conformsTo"
PROFILE = "https://bioschemas.org/profiles/"
_SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
# the minimum (required) properties of each Bioschemas 1.0 profile
REQUIRED = {
    "Dataset": {"description", "identifier", "keywords", "license", "name", "url"},
    "SoftwareApplication": {"name", "url"},
    "LearningResource": {"description", "keywords", "name"},
    "Course": {"description", "keywords", "name"},
}


async def jsonld_of_page(client: httpx.AsyncClient, local_id: str) -> dict[str, Any]:
    response = await client.get(f"/records/{local_id}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    scripts = _SCRIPT.findall(response.text)
    assert len(scripts) == 1
    data: dict[str, Any] = json.loads(scripts[0])
    return data


class TestLandingPages:
    @pytest.mark.parametrize(
        ("local_id", "schema_type", "profile"),
        [
            ("mouse-atlas", "Dataset", "Dataset/1.0-RELEASE"),
            ("rdm-training", "LearningResource", "TrainingMaterial/1.0-RELEASE"),
            ("galaxy-course-2024", "Course", "Course/1.0-RELEASE"),
        ],
    )
    async def test_embeds_the_profile(
        self, client: httpx.AsyncClient, local_id: str, schema_type: str, profile: str
    ) -> None:
        data = await jsonld_of_page(client, local_id)
        assert data["@type"] == schema_type
        assert data[CONFORMS]["@id"] == PROFILE + profile
        assert REQUIRED[schema_type] <= set(data)

    async def test_course_instance_nested(self, client: httpx.AsyncClient) -> None:
        data = await jsonld_of_page(client, "galaxy-course-2024")
        instance = data["hasCourseInstance"][0]
        assert instance[CONFORMS]["@id"] == PROFILE + "CourseInstance/1.0-RELEASE"
        assert instance["startDate"] == "2024-06-10"
        assert instance["location"]["address"]["addressCountry"] == "DE"

    async def test_every_tool_is_a_computational_tool(self, client: httpx.AsyncClient) -> None:
        for record in biotools_records(limit=5):
            data = await jsonld_of_page(client, str(record.id))
            assert data["@type"] == "SoftwareApplication"
            assert data[CONFORMS]["@id"] == PROFILE + "ComputationalTool/1.0-RELEASE"
            assert REQUIRED["SoftwareApplication"] <= set(data)

    async def test_page_is_escaped_and_shows_fair(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/records/mouse-atlas")
        assert "&amp; &lt;cortex&gt;" in response.text
        assert "<cortex>" not in response.text.split("<script")[0]
        assert 'id="fair"' in response.text

    async def test_page_policy_allows_its_own_style_and_nothing_else(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/records/mouse-atlas")
        policy = response.headers["content-security-policy"]
        assert policy.startswith("default-src 'none'; style-src 'sha256-")
        style = re.search(r"<style>(.*?)</style>", response.text, re.S)
        assert style is not None
        digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"

    @pytest.mark.parametrize("local_id", ["a-draft", "future-embargo", "was-deleted", "nope"])
    async def test_hidden_records_are_404(self, client: httpx.AsyncClient, local_id: str) -> None:
        response = await client.get(f"/records/{local_id}")
        assert response.status_code == 404


class TestSitemap:
    async def test_lists_visible_landing_pages(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/sitemap.xml")
        doc = etree.fromstring(response.content)
        ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
        locs = doc.xpath("//s:url/s:loc/text()", namespaces=ns)
        assert len(locs) == 206
        assert "https://metadata.de.example.org/records/mouse-atlas" in locs
        assert not [loc for loc in locs if loc.endswith(("/a-draft", "/future-embargo"))]
        assert doc.xpath("//s:url[1]/s:lastmod/text()", namespaces=ns) == ["2024-03-01T12:00:00Z"]


class TestRecordNegotiation:
    async def test_datacite_xml_validates(
        self, client: httpx.AsyncClient, datacite_schema: etree.XMLSchema
    ) -> None:
        media = "application/vnd.datacite.datacite+xml"
        ids = ["mouse-atlas", "cohort-genomes", "minimal-dataset", "rdm-training"]
        ids += ["galaxy-course-2024", *(str(r.id) for r in biotools_records(limit=20))]
        for local_id in ids:
            response = await client.get(f"/api/v1/records/{local_id}", headers={"Accept": media})
            assert response.status_code == 200
            assert response.headers["content-type"].startswith(media)
            doc = etree.fromstring(response.content)
            assert datacite_schema.validate(doc), (local_id, datacite_schema.error_log)
        ns = {"d": "http://datacite.org/schema/kernel-4"}
        assert doc.xpath("//d:resourceType/@resourceTypeGeneral", namespaces=ns) == ["Software"]

    async def test_doi_is_the_identifier(self, client: httpx.AsyncClient) -> None:
        response = await client.get(
            "/api/v1/records/mouse-atlas",
            headers={"Accept": "application/vnd.datacite.datacite+xml"},
        )
        doc = etree.fromstring(response.content)
        identifier = doc.find("{http://datacite.org/schema/kernel-4}identifier")
        assert identifier is not None
        assert (identifier.get("identifierType"), identifier.text) == (
            "DOI",
            "10.5281/zenodo.1234567",
        )

    async def test_json_ld_and_turtle(self, client: httpx.AsyncClient) -> None:
        response = await client.get(
            "/api/v1/records/mouse-atlas", headers={"Accept": "application/ld+json"}
        )
        assert response.json()["@type"] == "Dataset"
        assert response.headers.get("etag")
        response = await client.get(
            "/api/v1/records/mouse-atlas", headers={"Accept": "text/turtle"}
        )
        graph = Graph().parse(data=response.content, format="turtle")
        iri = URIRef("https://metadata.de.example.org/api/v1/records/mouse-atlas")
        assert (iri, None, None) in graph

    async def test_plain_json_unchanged(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/records/mouse-atlas")
        assert response.json()["global_id"] == "de:mouse-atlas"

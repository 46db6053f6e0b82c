"""A record's licence and rights statements in every output: DataCite XML (kernel-4 XSD),
DCAT Turtle, Bioschemas JSON-LD, OAI-PMH oai_dc (OAI-PMH XSD), the landing page and the FAIR
assessment."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from lxml import etree
from rdflib import Graph, Literal, Namespace, URIRef

from tests.metadata.conftest import dataset
from tests.metadata.publishing.test_dcat import conforms

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")

_TERMS = "https://archaeologydataservice.ac.uk/advice/termsOfUseAndAccess"
_TERMS_TEXT = "Terms of Use and Access to ADS Resources"
_DATACITE = {"d": "http://datacite.org/schema/kernel-4"}
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _terms_record(**overrides: Any) -> dict[str, Any]:
    """A dataset under terms of use and a licence text that name no SPDX licence."""
    body = dataset(
        id="ads-report",
        license="Proprietary",
        rights=[{"text": _TERMS_TEXT, "uri": _TERMS, "language": "en"}],
    )
    body.update(overrides)
    return body


async def _create(api: httpx.AsyncClient, steward: dict[str, str], body: dict[str, Any]) -> None:
    response = await api.post("/api/v1/records", json=body, headers=steward)
    assert response.status_code == 201, response.text


async def _get(api: httpx.AsyncClient, local_id: str, accept: str) -> httpx.Response:
    response = await api.get(f"/api/v1/records/{local_id}", headers={"Accept": accept})
    assert response.status_code == 200, response.text
    return response


class TestStored:
    async def test_non_spdx_licence_moves_to_rights(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        await _create(api, steward, _terms_record())
        body = (await api.get("/api/v1/records/ads-report")).json()
        assert "license" not in body
        assert body["rights"] == [
            {"text": _TERMS_TEXT, "uri": _TERMS, "language": "en"},
            {"text": "Proprietary"},
        ]

    @pytest.mark.parametrize(
        ("given", "stored"),
        [
            ("CC0 1.0", "CC0-1.0"),
            ("CC-BY 4.0", "CC-BY-4.0"),
            ("Apache License 2.0", "Apache-2.0"),
            ("GPL-3.0-or-later", "GPL-3.0-or-later"),
            ("https://creativecommons.org/licenses/by/4.0/", "CC-BY-4.0"),
            ("https://spdx.org/licenses/MIT.html", "MIT"),
            ("spdx.org/licenses/BSD-3-Clause", "BSD-3-Clause"),
            ("Creative Commons Attribution Share Alike 4.0 International", "CC-BY-SA-4.0"),
        ],
    )
    async def test_variants_become_spdx_ids(
        self, api: httpx.AsyncClient, steward: dict[str, str], given: str, stored: str
    ) -> None:
        await _create(api, steward, dataset(license=given))
        body = (await api.get("/api/v1/records/mouse-atlas")).json()
        assert (body["license"], body["rights"]) == (stored, [])

    async def test_terms_url_becomes_a_rights_uri(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        await _create(api, steward, dataset(license=_TERMS))
        body = (await api.get("/api/v1/records/mouse-atlas")).json()
        assert "license" not in body
        assert body["rights"] == [{"uri": _TERMS}]

    async def test_statement_needs_text_or_uri(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        response = await api.post(
            "/api/v1/records", json=dataset(rights=[{"language": "en"}]), headers=steward
        )
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        errors = [(e["pointer"], e["rule"]) for e in response.json()["errors"]]
        assert errors == [("/rights/0", "rights_statement")]


class TestOutputs:
    async def test_datacite_rights(
        self,
        api: httpx.AsyncClient,
        steward: dict[str, str],
        datacite_schema: etree.XMLSchema,
    ) -> None:
        await _create(api, steward, _terms_record())
        response = await _get(api, "ads-report", "application/vnd.datacite.datacite+xml")
        doc = etree.fromstring(response.content)
        assert datacite_schema.validate(doc), datacite_schema.error_log
        rights = doc.findall("d:rightsList/d:rights", _DATACITE)
        found = [(r.text, r.get("rightsURI"), r.get(_XML_LANG)) for r in rights]
        assert (_TERMS_TEXT, _TERMS, "en") in found
        assert ("Proprietary", None, None) in found
        assert not any(r.get("rightsIdentifierScheme") for r in rights)

    async def test_datacite_licence_and_statement(
        self,
        api: httpx.AsyncClient,
        steward: dict[str, str],
        datacite_schema: etree.XMLSchema,
    ) -> None:
        await _create(api, steward, _terms_record(license="CC0 1.0"))
        response = await _get(api, "ads-report", "application/vnd.datacite.datacite+xml")
        doc = etree.fromstring(response.content)
        assert datacite_schema.validate(doc), datacite_schema.error_log
        spdx = doc.findall("d:rightsList/d:rights[@rightsIdentifierScheme='SPDX']", _DATACITE)
        assert [r.get("rightsIdentifier") for r in spdx] == ["CC0-1.0"]
        assert (
            doc.xpath("d:rightsList/d:rights/@rightsURI", namespaces=_DATACITE).count(_TERMS) == 1
        )

    async def test_dcat_rights_statements(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        await _create(api, steward, _terms_record())
        graph = Graph().parse(
            data=(await _get(api, "ads-report", "text/turtle")).text, format="turtle"
        )
        iri = next(graph.subjects(RDF.type, DCAT.Dataset))
        assert list(graph.objects(iri, DCTERMS.license)) == []
        # DCAT-AP and the FAIR Data Point allow one dct:rights per resource: both statements
        # are one RightsStatement, with each text as a label and each URI linked
        (statement,) = graph.objects(iri, DCTERMS.rights)
        assert (statement, RDF.type, DCTERMS.RightsStatement) in graph
        labels = set(graph.objects(statement, RDFS.label))
        assert labels == {Literal(_TERMS_TEXT, lang="en"), Literal("Proprietary")}
        assert list(graph.objects(statement, RDFS.seeAlso)) == [URIRef(_TERMS)]
        distribution = next(graph.objects(iri, DCAT.distribution))
        assert list(graph.objects(distribution, DCTERMS.rights)) == [statement]
        catalog = await api.get("/dcat/catalog", params={"format": "ttl"})
        conforms(Graph().parse(data=catalog.content, format="turtle"))  # DCAT-AP 3 SHACL

    async def test_dcat_single_statement_on_distributions(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        await _create(api, steward, dataset(license="Proprietary"))
        turtle = (await _get(api, "mouse-atlas", "text/turtle")).text
        graph = Graph().parse(data=turtle, format="turtle")
        iri = next(graph.subjects(RDF.type, DCAT.Dataset))
        (statement,) = graph.objects(iri, DCTERMS.rights)
        assert graph.value(statement, RDFS.label) == Literal("Proprietary")
        distribution = next(graph.objects(iri, DCAT.distribution))
        assert list(graph.objects(distribution, DCTERMS.rights)) == [statement]
        catalog = await api.get("/dcat/catalog", params={"format": "ttl"})
        conforms(Graph().parse(data=catalog.content, format="turtle"))

    async def test_dcat_licence(self, api: httpx.AsyncClient, steward: dict[str, str]) -> None:
        await _create(api, steward, dataset(license="Apache License 2.0"))
        graph = Graph().parse(
            data=(await _get(api, "mouse-atlas", "text/turtle")).text, format="turtle"
        )
        iri = next(graph.subjects(RDF.type, DCAT.Dataset))
        assert list(graph.objects(iri, DCTERMS.license)) == [
            URIRef("https://spdx.org/licenses/Apache-2.0")
        ]
        assert list(graph.objects(iri, DCTERMS.rights)) == []

    async def test_bioschemas_minimum_properties(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        await _create(api, steward, _terms_record(rights=[{"uri": _TERMS}]))
        doc = (await _get(api, "ads-report", "application/ld+json")).json()
        assert doc["license"] == [_TERMS, {"@type": "CreativeWork", "name": "Proprietary"}]
        assert doc["keywords"]
        assert doc["description"]

    async def test_bioschemas_spdx_and_statement(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        await _create(api, steward, _terms_record(license="MIT"))
        doc = (await _get(api, "ads-report", "application/ld+json")).json()
        assert doc["license"] == [
            "https://spdx.org/licenses/MIT",
            {"@type": "CreativeWork", "name": _TERMS_TEXT, "url": _TERMS, "inLanguage": "en"},
        ]

    async def test_oai_dc_rights(
        self,
        api: httpx.AsyncClient,
        steward: dict[str, str],
        oai_schema: etree.XMLSchema,
    ) -> None:
        await _create(api, steward, _terms_record())
        response = await api.get("/oai", params={"verb": "ListRecords", "metadataPrefix": "oai_dc"})
        doc = etree.fromstring(response.content)
        assert oai_schema.validate(doc), oai_schema.error_log
        rights = [
            (e.text, e.get(_XML_LANG)) for e in doc.iter("{http://purl.org/dc/elements/1.1/}rights")
        ]
        assert (_TERMS_TEXT, "en") in rights
        assert (_TERMS, None) in rights
        assert ("Proprietary", None) in rights

    async def test_landing_page(self, api: httpx.AsyncClient, steward: dict[str, str]) -> None:
        await _create(api, steward, _terms_record())
        page = (await api.get("/records/ads-report")).text
        assert f'<a href="{_TERMS}">{_TERMS_TEXT}</a>' in page
        assert "Proprietary" in page


class TestFair:
    async def test_rights_without_licence_gets_a_hint(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        await _create(api, steward, _terms_record())
        metrics = {
            m["id"]: m for m in (await api.get("/api/v1/records/ads-report/fair")).json()["metrics"]
        }
        licence = metrics["FsF-R1.1-01M"]
        assert licence["passed"] is False
        assert "no machine-readable licence" in licence["hint"]
        assert _TERMS_TEXT in licence["hint"]
        # Bioschemas' minimum is met: schema:license carries the rights statements
        assert metrics["FsF-R1.3-01M"]["passed"] is True

    async def test_no_rights_at_all_gets_the_general_hint(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        await _create(api, steward, dataset(license=None))
        metrics = {
            m["id"]: m
            for m in (await api.get("/api/v1/records/mouse-atlas/fair")).json()["metrics"]
        }
        assert metrics["FsF-R1.1-01M"]["hint"].startswith("Add the SPDX licence id")
        assert metrics["FsF-R1.3-01M"]["passed"] is False

    async def test_spdx_licence_passes(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        await _create(api, steward, _terms_record(license="CC-BY 4.0"))
        metrics = {
            m["id"]: m for m in (await api.get("/api/v1/records/ads-report/fair")).json()["metrics"]
        }
        assert (metrics["FsF-R1.1-01M"]["passed"], metrics["FsF-R1.1-01M"]["hint"]) == (True, None)

"""DCAT-AP 3 catalogue and FAIR Data Point: every serialisation validated by the DCAT-AP 3.0.0
and FAIR Data Point SHACL shapes; the three serialisations carry the same graph; Hydra paging
walks the whole catalogue, which lists every public record."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from lxml import etree
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from tests.metadata.publishing.conftest import make_settings
from tests.metadata.publishing.oai_helpers import NS, REPO
from tests.metadata.publishing.sample import all_samples
from tests.metadata.publishing.shapes import conforms, resources

HYDRA = "http://www.w3.org/ns/hydra/core#"
FDP = "https://w3id.org/fdp/fdp-o#"
BASE = "https://metadata.de.example.org"
VISIBLE_DATASETS = {"mouse-atlas", "cohort-genomes", "minimal-dataset", "ended-embargo"}
HIDDEN = {"a-draft", "future-embargo", "was-deleted"}
VISIBLE = {r.id for r in all_samples()} - HIDDEN
# one record of each type, and the controlled, multilingual and minimal datasets
EXAMPLES = {
    "mouse-atlas": DCAT.Dataset,
    "cohort-genomes": DCAT.Dataset,
    "minimal-dataset": DCAT.Dataset,
    "rdm-training": DCAT.Resource,
    "galaxy-course-2024": DCAT.Resource,
}
FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml"}


def without_cursors(graph: Graph) -> Graph:
    """``graph`` with each ``cursor=`` query value of its IRIs set to ``_``."""

    def plain(term: object) -> object:
        if isinstance(term, URIRef) and "cursor=" in term:
            return URIRef(re.sub(r"cursor=[^&#]*", "cursor=_", str(term)))
        return term

    out = Graph()
    for s, p, o in graph:
        out.add((plain(s), p, plain(o)))  # type: ignore[arg-type]
    return out


DCAT_RESOURCE = URIRef("http://www.w3.org/ns/dcat#resource")


PROFILES = {"dcat-ap": "/dcat", "fdp": "/fdp"}  # each profile and the paths that default to it


async def fetch(
    client: httpx.AsyncClient, url: str, fmt: str = "ttl", profile: str | None = None
) -> Graph:
    params = {"format": fmt} | ({"_profile": profile} if profile else {})
    response = await client.get(url, params=params)
    assert response.status_code == 200, response.text
    return Graph().parse(data=response.content, format=FORMATS[fmt])


class TestCatalog:
    @pytest.mark.parametrize("profile", list(PROFILES))
    @pytest.mark.parametrize("fmt", list(FORMATS))
    async def test_every_serialisation_validates(
        self, client: httpx.AsyncClient, fmt: str, profile: str
    ) -> None:
        # each profile at the paths that answer it by default
        graph = await fetch(client, f"{PROFILES[profile]}/catalog", fmt)
        conforms(graph, profile)
        catalog = URIRef(f"{BASE}/dcat/catalog")
        assert (catalog, RDF.type, DCAT.Catalog) in graph
        services = set(graph.objects(catalog, DCAT.service))
        assert services == {URIRef(f"{BASE}/#service"), URIRef(f"{BASE}/#oai")}
        for service in services:
            assert len(set(graph.objects(service, DCAT.endpointURL))) == 1

    async def test_issued_and_modified_are_datetimes(self, client: httpx.AsyncClient) -> None:
        graph = await fetch(client, "/dcat/catalog")
        dates = list(graph.objects(None, DCTERMS.issued)) + list(
            graph.objects(None, DCTERMS.modified)
        )
        assert len(dates) > 40
        assert {d.datatype for d in dates} == {XSD.dateTime}  # type: ignore[attr-defined]

    async def test_one_name_per_agent_and_iris_with_one_fragment(
        self, client: httpx.AsyncClient
    ) -> None:
        graph = await fetch(client, "/dcat/catalog")
        for agent in set(graph.subjects(RDF.type, FOAF.Agent)):
            assert len(set(graph.objects(agent, FOAF.name))) == 1, agent
        terms = {t for triple in graph for t in triple if isinstance(t, URIRef)}
        assert [t for t in terms if t.count("#") > 1] == []

    async def test_three_serialisations_one_graph(self, client: httpx.AsyncClient) -> None:
        # the next page's cursor is signed with the time it was issued: the three requests
        # may fall in different seconds, so the link to the next page is compared without it
        graphs = [without_cursors(await fetch(client, "/dcat/catalog", fmt)) for fmt in FORMATS]
        assert len(graphs[0]) > 100
        assert isomorphic(graphs[0], graphs[1])
        assert isomorphic(graphs[0], graphs[2])

    @pytest.mark.parametrize(
        ("accept", "media"),
        [
            ("application/ld+json", "application/ld+json"),
            ("application/rdf+xml;q=0.9, text/turtle;q=0.5", "application/rdf+xml"),
            ("text/html,*/*;q=0.8", "text/turtle"),
        ],
    )
    async def test_content_negotiation(
        self, client: httpx.AsyncClient, accept: str, media: str
    ) -> None:
        response = await client.get("/dcat/catalog", headers={"Accept": accept})
        assert response.headers["content-type"].startswith(media)

    async def test_unacceptable(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/dcat/catalog", headers={"Accept": "image/png"})
        assert response.status_code == 406
        response = await client.get("/dcat/catalog", params={"format": "csv"})
        assert response.status_code == 406

    @pytest.mark.parametrize("profile", list(PROFILES))
    @pytest.mark.parametrize("local_id", sorted(EXAMPLES))
    @pytest.mark.parametrize("fmt", list(FORMATS))
    async def test_each_record_type_validates(
        self, client: httpx.AsyncClient, local_id: str, fmt: str, profile: str
    ) -> None:
        graph = await fetch(client, f"/dcat/datasets/{local_id}", fmt, profile)
        conforms(graph, profile)
        assert resources(graph, EXAMPLES[local_id]) == {local_id}
        member = DCAT.dataset if EXAMPLES[local_id] == DCAT.Dataset else DCAT_RESOURCE
        iri = URIRef(f"{BASE}/api/v1/records/{local_id}")
        assert (URIRef(f"{BASE}/dcat/catalog"), member, iri) in graph

    async def test_one_title_and_language_per_resource(self, client: httpx.AsyncClient) -> None:
        graph = await fetch(client, "/dcat/datasets/mouse-atlas")
        iri = URIRef(f"{BASE}/api/v1/records/mouse-atlas")
        titles = list(graph.objects(iri, DCTERMS.title))
        assert len(titles) == 1
        assert titles[0].language == "en"  # type: ignore[attr-defined]
        assert {a.language for a in graph.objects(iri, DCTERMS.alternative)} == {"de"}  # type: ignore[attr-defined]

    async def test_controlled_access_and_duo(self, client: httpx.AsyncClient) -> None:
        graph = await fetch(client, "/dcat/datasets/cohort-genomes")
        conforms(graph)
        iri = URIRef(f"{BASE}/api/v1/records/cohort-genomes")
        rights = {
            str(o) for o in graph.objects(iri, URIRef("http://purl.org/dc/terms/accessRights"))
        }
        assert rights == {
            "http://publications.europa.eu/resource/authority/access-right/RESTRICTED"
        }
        duo = set(graph.objects(None, URIRef("http://purl.org/dc/terms/rights")))
        assert duo == {URIRef("http://purl.obolibrary.org/obo/DUO_0000042")}

    async def test_draft_and_embargo_are_not_found(self, client: httpx.AsyncClient) -> None:
        for local_id in ("a-draft", "future-embargo", "was-deleted"):
            response = await client.get(f"/dcat/datasets/{local_id}")
            assert response.status_code == 404


class TestPaging:
    async def test_hydra_pages_cover_the_catalogue(
        self, metadata_db: str, seeded: object, tmp_path: Path
    ) -> None:
        from converge_common.testing.asgi import asgi_client
        from converge_metadata.app import create_app

        app = create_app(make_settings(metadata_db, tmp_path, dcat_page_size=100))
        seen: list[str] = []
        async with asgi_client(app) as client:
            url: str | None = "/dcat/catalog"
            for _ in range(5):
                if url is None:
                    break
                response = await client.get(url, headers={"Accept": "text/turtle"})
                graph = Graph().parse(data=response.content, format="turtle")
                conforms(graph)
                seen += resources(graph, DCAT.Dataset) | resources(graph, DCAT.Resource)
                totals = {int(o) for o in graph.objects(None, URIRef(HYDRA + "totalItems"))}
                assert totals == {len(VISIBLE)}
                nxt = list(graph.objects(None, URIRef(HYDRA + "next")))
                url = str(nxt[0]).removeprefix(BASE) if nxt else None
        assert sorted(seen) == sorted(VISIBLE)


class TestFairDataPoint:
    async def test_root_catalog_dataset_distribution_carry_fdp_metadata(
        self, client: httpx.AsyncClient
    ) -> None:
        root = await fetch(client, "/fdp")
        root_iri = URIRef(f"{BASE}/fdp")
        assert (root_iri, RDF.type, URIRef(FDP + "MetadataService")) in root
        catalog_iri = URIRef(f"{BASE}/dcat/catalog")
        assert (root_iri, URIRef(FDP + "metadataCatalog"), catalog_iri) in root
        catalog = await fetch(client, "/dcat/datasets/mouse-atlas")
        dataset = URIRef(f"{BASE}/api/v1/records/mouse-atlas")
        distribution = URIRef(f"{dataset}#distribution-0")
        catalog_graph = await fetch(client, "/dcat/catalog")
        required = ["metadataIdentifier", "metadataIssued", "metadataModified"]
        for graph, node in (
            (root, root_iri),
            (catalog_graph, catalog_iri),
            (catalog, dataset),
            (catalog, distribution),
        ):
            for name in required:
                assert graph.value(node, URIRef(FDP + name)) is not None, (node, name)
            assert graph.value(node, URIRef("http://www.w3.org/ns/dcat#version")) is not None, node
            assert graph.value(node, URIRef("http://purl.org/dc/terms/publisher")) is not None, node

    @pytest.mark.parametrize("profile", list(PROFILES))
    @pytest.mark.parametrize("fmt", list(FORMATS))
    async def test_root_validates_as_each_fdp_resource_type(
        self, client: httpx.AsyncClient, fmt: str, profile: str
    ) -> None:
        root = await fetch(client, "/fdp", fmt, profile)
        conforms(root, profile)
        root_iri = URIRef(f"{BASE}/fdp")
        types = set(root.objects(root_iri, RDF.type))
        assert {URIRef(FDP + "FAIRDataPoint"), URIRef(FDP + "MetadataService")} <= types
        assert DCAT.DataService in types


class TestRecordRdf:
    """The records endpoint's and OAI-PMH's DCAT representations pass the same validators."""

    @pytest.mark.parametrize(("fmt", "parser"), [("ttl", "turtle"), ("rdf", "xml")])
    @pytest.mark.parametrize("local_id", sorted(EXAMPLES))
    async def test_record_rdf_validates(
        self, client: httpx.AsyncClient, local_id: str, fmt: str, parser: str
    ) -> None:
        response = await client.get(f"/api/v1/records/{local_id}", params={"format": fmt})
        assert response.status_code == 200, response.text
        conforms(Graph().parse(data=response.content, format=parser))

    @pytest.mark.parametrize("local_id", sorted(EXAMPLES))
    async def test_oai_dcat_ap_validates(self, client: httpx.AsyncClient, local_id: str) -> None:
        params = {
            "verb": "GetRecord",
            "metadataPrefix": "dcat_ap",
            "identifier": REPO + local_id,
        }
        doc = etree.fromstring((await client.get("/oai", params=params)).content)
        (rdf,) = doc.xpath("//oai:metadata/rdf:RDF", namespaces=NS)
        conforms(Graph().parse(data=etree.tostring(rdf), format="xml"))


DCAT_AP_URI = "https://semiceu.github.io/DCAT-AP/releases/3.0.0/"
FDP_URI = "https://w3id.org/fdp/fdp-o"
DISTRIBUTION = URIRef(f"{BASE}/api/v1/records/mouse-atlas#distribution-0")


class TestProfiles:
    """W3C Content Negotiation by Profile between DCAT-AP 3.0.0 and the FAIR Data Point."""

    @pytest.mark.parametrize(
        ("path", "uri"),
        [
            ("/dcat/catalog", DCAT_AP_URI),
            ("/dcat/datasets/mouse-atlas", DCAT_AP_URI),
            ("/fdp", FDP_URI),
            ("/fdp/catalog", FDP_URI),
            ("/fdp/datasets/mouse-atlas", FDP_URI),
        ],
    )
    async def test_each_path_says_its_default(
        self, client: httpx.AsyncClient, path: str, uri: str
    ) -> None:
        response = await client.get(path)
        assert response.status_code == 200, response.text
        assert response.headers["content-profile"] == f"<{uri}>"
        assert response.headers["link"] == f'<{uri}>; rel="profile"'
        assert "Accept-Profile" in response.headers["vary"]

    async def test_media_type_is_an_iri_in_dcat_ap_and_a_literal_in_the_fdp(
        self, client: httpx.AsyncClient
    ) -> None:
        dcat_ap = await fetch(client, "/dcat/datasets/mouse-atlas")
        fdp = await fetch(client, "/fdp/datasets/mouse-atlas")
        (iri,) = dcat_ap.objects(DISTRIBUTION, DCAT.mediaType)
        (literal,) = fdp.objects(DISTRIBUTION, DCAT.mediaType)
        assert isinstance(iri, URIRef)
        assert (iri, RDF.type, DCTERMS.MediaType) in dcat_ap
        assert isinstance(literal, Literal)
        assert str(iri) == "https://www.iana.org/assignments/media-types/" + str(literal)
        assert list(fdp.subjects(RDF.type, DCTERMS.MediaType)) == []
        # nothing else differs
        dcat_ap.remove((None, DCAT.mediaType, None))
        dcat_ap.remove((None, RDF.type, DCTERMS.MediaType))
        fdp.remove((None, DCAT.mediaType, None))
        assert isomorphic(dcat_ap, fdp)

    @pytest.mark.parametrize(
        ("accept_profile", "uri"),
        [
            (f"<{FDP_URI}>", FDP_URI),
            (f"<urn:example:unknown>;q=1.0, <{FDP_URI}>;q=0.5", FDP_URI),
            (f"<{FDP_URI}>;q=0.2, <{DCAT_AP_URI}>;q=0.9", DCAT_AP_URI),
            (f"<{DCAT_AP_URI}>;q=0, <{FDP_URI}>;q=0.1", FDP_URI),
        ],
    )
    async def test_accept_profile(
        self, client: httpx.AsyncClient, accept_profile: str, uri: str
    ) -> None:
        response = await client.get(
            "/dcat/datasets/mouse-atlas", headers={"Accept-Profile": accept_profile}
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-profile"] == f"<{uri}>"

    @pytest.mark.parametrize("value", ["fdp", FDP_URI])
    async def test_profile_parameter_by_token_or_uri_overrides_the_header(
        self, client: httpx.AsyncClient, value: str
    ) -> None:
        response = await client.get(
            "/dcat/catalog",
            params={"_profile": value},
            headers={"Accept-Profile": f"<{DCAT_AP_URI}>"},
        )
        assert response.headers["content-profile"] == f"<{FDP_URI}>"
        response = await client.get("/fdp", params={"_profile": "dcat-ap"})
        assert response.headers["content-profile"] == f"<{DCAT_AP_URI}>"

    @pytest.mark.parametrize(
        ("params", "headers", "pointer"),
        [
            ({"_profile": "schema-org"}, {}, "/_profile"),
            ({}, {"Accept-Profile": "<urn:example:unknown>"}, "/Accept-Profile"),
            ({}, {"Accept-Profile": f"<{FDP_URI}>;q=0"}, "/Accept-Profile"),
        ],
    )
    async def test_an_unknown_profile_is_not_acceptable(
        self,
        client: httpx.AsyncClient,
        params: dict[str, str],
        headers: dict[str, str],
        pointer: str,
    ) -> None:
        for path in ("/dcat/catalog", "/fdp", "/fdp/datasets/mouse-atlas"):
            response = await client.get(path, params=params, headers=headers)
            assert response.status_code == 406
            assert response.headers["content-type"] == "application/problem+json"
            (error,) = response.json()["errors"]
            assert (error["pointer"], error["rule"]) == (pointer, "profile")
            assert FDP_URI in error["detail"]

"""DCAT-AP 3 catalogue and FAIR Data Point: validated by the official SHACL shapes; the three
serialisations carry the same graph; Hydra paging walks the whole catalogue."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import httpx
import pytest
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, RDF

from tests.metadata.publishing.conftest import CONFORMANCE, make_settings

HYDRA = "http://www.w3.org/ns/hydra/core#"
FDP = "https://w3id.org/fdp/fdp-o#"
BASE = "https://metadata.de.example.org"
VISIBLE_DATASETS = {"mouse-atlas", "cohort-genomes", "minimal-dataset", "ended-embargo"}
FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml"}


@cache
def shapes() -> Graph:
    return Graph().parse(CONFORMANCE / "dcat-ap" / "3.0.0" / "shacl" / "dcat-ap-SHACL.ttl")


def conforms(graph: Graph) -> None:
    ok, _, report = validate(graph, shacl_graph=shapes(), inference="none", allow_warnings=True)
    assert ok, report


async def fetch(client: httpx.AsyncClient, url: str, fmt: str = "ttl") -> Graph:
    response = await client.get(url, params={"format": fmt})
    assert response.status_code == 200, response.text
    return Graph().parse(data=response.content, format=FORMATS[fmt])


class TestCatalog:
    async def test_validates_against_dcat_ap_shapes(self, client: httpx.AsyncClient) -> None:
        graph = await fetch(client, "/dcat/catalog")
        conforms(graph)
        datasets = {str(s).rsplit("/", 1)[-1] for s in graph.subjects(RDF.type, DCAT.Dataset)}
        assert datasets == VISIBLE_DATASETS
        catalog = URIRef(f"{BASE}/dcat/catalog")
        assert (catalog, RDF.type, DCAT.Catalog) in graph
        assert (catalog, DCAT.service, URIRef(f"{BASE}/#service")) in graph

    async def test_three_serialisations_one_graph(self, client: httpx.AsyncClient) -> None:
        graphs = [await fetch(client, "/dcat/catalog", fmt) for fmt in FORMATS]
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

        app = create_app(make_settings(metadata_db, tmp_path, dcat_page_size=3))
        seen: list[str] = []
        async with asgi_client(app) as client:
            url: str | None = "/dcat/catalog"
            for _ in range(10):
                if url is None:
                    break
                response = await client.get(url, headers={"Accept": "text/turtle"})
                graph = Graph().parse(data=response.content, format="turtle")
                conforms(graph)
                seen += [str(s).rsplit("/", 1)[-1] for s in graph.subjects(RDF.type, DCAT.Dataset)]
                totals = {int(o) for o in graph.objects(None, URIRef(HYDRA + "totalItems"))}
                assert totals == {4}
                nxt = list(graph.objects(None, URIRef(HYDRA + "next")))
                url = str(nxt[0]).removeprefix(BASE) if nxt else None
        assert sorted(seen) == sorted(VISIBLE_DATASETS)


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

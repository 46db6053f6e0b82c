"""The FAIR self-assessment: metric by metric with hints, and the catalogue summary."""

from __future__ import annotations

import httpx
import pytest
from converge_metadata.publishing.fair.metrics import PublicationFacts, assess
from converge_metadata.records.schemas import RecordRead
from lxml import etree
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT

from tests.metadata.publishing.oai_helpers import NS, REPO, identifiers, token
from tests.metadata.publishing.sample import all_samples, hand_written

BASE = "https://metadata.de.example.org"
DCAT_RESOURCE = URIRef("http://www.w3.org/ns/dcat#resource")


def results(body: dict[str, object]) -> dict[str, bool]:
    metrics = body["metrics"]
    assert isinstance(metrics, list)
    return {m["id"]: m["passed"] for m in metrics}


class TestRecordAssessment:
    async def test_rich_record_passes_everything(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/records/mouse-atlas/fair")
        body = response.json()
        failed = [m for m in body["metrics"] if not m["passed"]]
        # the description is shorter than the rich-metadata threshold
        assert [m["id"] for m in failed] == ["FsF-F2-01M"]
        assert failed[0]["hint"].startswith("Add a description")
        assert body["total"] == 12
        assert body["score"] == pytest.approx(11 / 12, abs=1e-4)

    async def test_minimal_record_gets_hints(self, client: httpx.AsyncClient) -> None:
        body = (await client.get("/api/v1/records/minimal-dataset/fair")).json()
        passed = results(body)
        assert passed["FsF-F1-02MD"] is False
        assert passed["FsF-R1.1-01M"] is False
        assert passed["FsF-F4-01M"] is True
        assert passed["FsF-A1-02M"] is True  # served over https
        assert all(m["hint"] for m in body["metrics"] if not m["passed"])

    async def test_hidden_record_is_404(self, client: httpx.AsyncClient) -> None:
        assert (await client.get("/api/v1/records/a-draft/fair")).status_code == 404

    def test_publication_facts_change_the_result(self) -> None:
        record = next(r for r in hand_written() if r.id == "a-draft")
        read = RecordRead.model_validate(
            {
                **record.model_dump(exclude={"id"}),
                "id": "a-draft",
                "node": "de",
                "global_id": "de:a-draft",
                "version": 1,
                "created_at": "2024-01-01T00:00:00Z",
                "modified_at": "2024-01-01T00:00:00Z",
                "published_at": None,
                "created_by": "x",
                "modified_by": "x",
            }
        )
        hidden = assess(read, PublicationFacts(harvestable=False, https=False))
        shown = assess(read, PublicationFacts(harvestable=True, https=True))
        assert shown.passed - hidden.passed == 2


class TestSummary:
    async def test_distribution(self, client: httpx.AsyncClient) -> None:
        body = (await client.get("/api/v1/fair/summary")).json()
        assert body["records"] == 206
        assert sum(body["histogram"].values()) == 206
        assert set(body["by_type"]) == {"Dataset", "Software", "TrainingMaterial", "CourseInstance"}
        licence = next(m for m in body["metrics"] if m["id"] == "FsF-R1.1-01M")
        assert licence["passed"] + licence["failed"] == 206
        assert 0 < licence["failed"] < 206


async def _in_dcat(client: httpx.AsyncClient) -> set[str]:
    """The records the DCAT catalogue lists, page by page."""
    found: set[str] = set()
    url: str | None = "/dcat/catalog"
    for _ in range(20):
        if url is None:
            break
        graph = Graph().parse(data=(await client.get(url)).content, format="turtle")
        catalog = URIRef(f"{BASE}/dcat/catalog")
        members = [*graph.objects(catalog, DCAT.dataset), *graph.objects(catalog, DCAT_RESOURCE)]
        found |= {str(m).rsplit("/", 1)[-1] for m in members}
        nxt = list(graph.objects(None, URIRef("http://www.w3.org/ns/hydra/core#next")))
        url = str(nxt[0]).removeprefix(BASE) if nxt else None
    return found


async def _in_oai(client: httpx.AsyncClient) -> set[str]:
    found: set[str] = set()
    params = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}
    for _ in range(20):
        doc = etree.fromstring((await client.get("/oai", params=params)).content)
        deleted = doc.xpath("//oai:header[@status='deleted']/oai:identifier/text()", namespaces=NS)
        found |= {i.removeprefix(REPO) for i in identifiers(doc) if i not in deleted}
        resumption = token(doc)
        if resumption is None or not resumption.text:
            break
        params = {"verb": "ListIdentifiers", "resumptionToken": resumption.text}
    return found


class TestMetricsTestWhatTheyClaim:
    async def test_indexed_means_listed_by_oai_dcat_and_sitemap(
        self, client: httpx.AsyncClient
    ) -> None:
        """FsF-F4-01M passes for a record exactly when OAI-PMH, the DCAT catalogue and the
        sitemap list it: software and training too, not only datasets."""
        sitemap = etree.fromstring((await client.get("/sitemap.xml")).content)
        locs = sitemap.xpath(
            "//s:loc/text()", namespaces={"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
        )
        in_sitemap = {str(loc).rsplit("/", 1)[-1] for loc in locs}
        in_dcat, in_oai = await _in_dcat(client), await _in_oai(client)
        assert in_dcat == in_oai == in_sitemap
        assert {"rdm-training", "galaxy-course-2024", "mouse-atlas"} <= in_dcat
        body = (await client.get("/api/v1/fair/summary")).json()
        indexed = next(m for m in body["metrics"] if m["id"] == "FsF-F4-01M")
        assert indexed["passed"] == body["records"] == len(in_dcat)
        for record in all_samples():
            answer = await client.get(f"/api/v1/records/{record.id}/fair")
            if record.id in in_dcat:
                assert results(answer.json())["FsF-F4-01M"] is True, record.id
            else:
                assert answer.status_code == 404, record.id

    @pytest.mark.parametrize("local_id", ["mouse-atlas", "rdm-training", "galaxy-course-2024"])
    async def test_rdf_and_json_ld_are_served_for_every_type(
        self, client: httpx.AsyncClient, local_id: str
    ) -> None:
        """FsF-I1-01M claims RDF and JSON-LD: both answer for each type of record."""
        passed = results((await client.get(f"/api/v1/records/{local_id}/fair")).json())
        assert passed["FsF-I1-01M"] is True
        rdf = await client.get(f"/dcat/datasets/{local_id}")
        assert len(Graph().parse(data=rdf.content, format="turtle")) > 10
        jsonld = await client.get(f"/api/v1/records/{local_id}", params={"format": "jsonld"})
        assert jsonld.json()["@context"]

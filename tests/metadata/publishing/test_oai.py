"""OAI-PMH 2.0: every response validated by the official schema; verbs, errors, sets,
selective harvesting, deletions, visibility and resumption."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from converge_metadata.publishing.oai.tokens import HarvestState, ResumptionTokens
from lxml import etree

from tests.metadata.publishing.conftest import make_settings
from tests.metadata.publishing.oai_helpers import (
    NS,
    REPO,
    error_code,
    identifiers,
    parse_valid,
    token,
)
from tests.metadata.publishing.sample import biotools_records

VISIBLE_HAND_WRITTEN = {
    "mouse-atlas",
    "cohort-genomes",
    "minimal-dataset",
    "rdm-training",
    "galaxy-course-2024",
    "ended-embargo",
}


async def oai(client: httpx.AsyncClient, schema: etree.XMLSchema, **params: str) -> etree._Element:
    response = await client.get("/oai", params=params)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    return parse_valid(response.content, schema)


async def harvest(
    client: httpx.AsyncClient, schema: etree.XMLSchema, verb: str = "ListIdentifiers", **params: str
) -> tuple[list[str], list[etree._Element]]:
    doc = await oai(client, schema, verb=verb, **params)
    pages, ids = [doc], identifiers(doc)
    for _ in range(100):
        element = token(doc)
        if element is None or not element.text:
            break
        doc = await oai(client, schema, verb=verb, resumptionToken=element.text)
        pages.append(doc)
        ids += identifiers(doc)
    return ids, pages


class TestIdentify:
    async def test_describes_the_repository(
        self, client: httpx.AsyncClient, oai_schema: etree.XMLSchema
    ) -> None:
        doc = await oai(client, oai_schema, verb="Identify")
        identify = doc.find("oai:Identify", NS)
        assert identify is not None
        assert (
            identify.findtext("oai:baseURL", namespaces=NS) == "https://metadata.de.example.org/oai"
        )
        assert identify.findtext("oai:deletedRecord", namespaces=NS) == "persistent"
        assert identify.findtext("oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
        assert identify.findtext("oai:adminEmail", namespaces=NS) == "helpdesk@de.example.org"
        assert identify.findtext("oai:earliestDatestamp", namespaces=NS) == "2024-03-01T12:00:00Z"

    async def test_post_answers_like_get(
        self, client: httpx.AsyncClient, oai_schema: etree.XMLSchema
    ) -> None:
        response = await client.post("/oai", data={"verb": "ListMetadataFormats"})
        doc = parse_valid(response.content, oai_schema)
        prefixes = doc.xpath("//oai:metadataPrefix/text()", namespaces=NS)
        assert prefixes == ["oai_dc", "oai_datacite", "dcat_ap"]


class TestErrors:
    @pytest.mark.parametrize(
        ("params", "code"),
        [
            ({}, "badVerb"),
            ({"verb": "Harvest"}, "badVerb"),
            ({"verb": "Identify", "extra": "1"}, "badArgument"),
            ({"verb": "ListRecords"}, "badArgument"),
            ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-13"}, "badArgument"),
            (
                {
                    "verb": "ListRecords",
                    "metadataPrefix": "oai_dc",
                    "from": "2024-01-01",
                    "until": "2024-02-01T00:00:00Z",
                },
                "badArgument",
            ),
            (
                {
                    "verb": "ListRecords",
                    "metadataPrefix": "oai_dc",
                    "from": "2024-02-01",
                    "until": "2024-01-01",
                },
                "badArgument",
            ),
            ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "nope"}, "badArgument"),
            (
                {"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "x"},
                "badArgument",
            ),
            ({"verb": "ListRecords", "resumptionToken": "garbage"}, "badResumptionToken"),
            ({"verb": "ListSets", "resumptionToken": "garbage"}, "badResumptionToken"),
            ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
            (
                {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": REPO + "nope"},
                "idDoesNotExist",
            ),
            (
                {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": REPO + "a-draft"},
                "idDoesNotExist",
            ),
            (
                {
                    "verb": "GetRecord",
                    "metadataPrefix": "oai_dc",
                    "identifier": REPO + "future-embargo",
                },
                "idDoesNotExist",
            ),
            (
                {"verb": "GetRecord", "metadataPrefix": "x", "identifier": REPO + "mouse-atlas"},
                "cannotDisseminateFormat",
            ),
            (
                {"verb": "ListMetadataFormats", "identifier": "oai:elsewhere.org:x"},
                "idDoesNotExist",
            ),
            (
                {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "2999-01-01"},
                "noRecordsMatch",
            ),
        ],
    )
    async def test_error_code(
        self,
        client: httpx.AsyncClient,
        oai_schema: etree.XMLSchema,
        params: dict[str, str],
        code: str,
    ) -> None:
        doc = await oai(client, oai_schema, **params)
        assert error_code(doc) == code
        request = doc.find("oai:request", NS)
        assert request is not None
        if code in ("badVerb", "badArgument"):
            assert dict(request.attrib) == {}
        else:
            assert request.get("verb") == params["verb"]

    async def test_repeated_arguments(
        self, client: httpx.AsyncClient, oai_schema: etree.XMLSchema
    ) -> None:
        response = await client.get("/oai?verb=Identify&verb=Identify")
        assert error_code(parse_valid(response.content, oai_schema)) == "badVerb"
        response = await client.get(
            "/oai?verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc"
        )
        assert error_code(parse_valid(response.content, oai_schema)) == "badArgument"

    async def test_token_of_another_verb(
        self, client: httpx.AsyncClient, oai_schema: etree.XMLSchema
    ) -> None:
        doc = await oai(client, oai_schema, verb="ListIdentifiers", metadataPrefix="oai_dc")
        element = token(doc)
        assert element is not None
        assert element.text
        doc = await oai(client, oai_schema, verb="ListRecords", resumptionToken=element.text)
        assert error_code(doc) == "badResumptionToken"

    async def test_expired_token(
        self, client: httpx.AsyncClient, oai_schema: etree.XMLSchema, tmp_path: Path
    ) -> None:
        settings = make_settings("sqlite+aiosqlite://", tmp_path)
        secret, ttl = (
            settings.secret_key.get_secret_value(),
            timedelta(seconds=settings.oai_token_ttl_s),
        )
        state = HarvestState(verb="ListIdentifiers", prefix="oai_dc", cursor=50, total=60)
        now = datetime.now(UTC)
        # the service's own lifetime counts from the signed issue time, whoever minted it
        for issued, expected in (
            (now, None),
            (now - ttl - timedelta(minutes=1), "badResumptionToken"),
        ):
            minted, _ = ResumptionTokens(secret, ttl=ttl, now=issued).encode(state)
            doc = await oai(client, oai_schema, verb="ListIdentifiers", resumptionToken=minted)
            assert error_code(doc) == expected
        assert "expired" in doc.xpath("string(/oai:OAI-PMH/oai:error)", namespaces=NS)

    async def test_a_cursor_is_not_a_resumption_token(
        self, client: httpx.AsyncClient, oai_schema: etree.XMLSchema
    ) -> None:
        cursor = (await client.get("/api/v1/search", params={"limit": 1})).json()["next_cursor"]
        assert cursor
        doc = await oai(client, oai_schema, verb="ListIdentifiers", resumptionToken=cursor)
        assert error_code(doc) == "badResumptionToken"
        element = token(
            await oai(client, oai_schema, verb="ListIdentifiers", metadataPrefix="oai_dc")
        )
        assert element is not None
        assert element.text
        response = await client.get("/api/v1/search", params={"cursor": element.text})
        assert response.status_code == 400
        assert response.json()["errors"][0]["pointer"] == "/cursor"


class TestRecords:
    @pytest.mark.parametrize("prefix", ["oai_dc", "oai_datacite", "dcat_ap"])
    async def test_full_list_validates_in_every_format(
        self, client: httpx.AsyncClient, oai_schema: etree.XMLSchema, prefix: str
    ) -> None:
        ids, pages = await harvest(client, oai_schema, "ListRecords", metadataPrefix=prefix)
        expected = {REPO + i for i in VISIBLE_HAND_WRITTEN | {"was-deleted"}}
        expected |= {REPO + r.id for r in biotools_records() if r.id}
        assert sorted(ids) == sorted(expected)
        metadata = [m for p in pages for m in p.xpath("//oai:metadata/*", namespaces=NS)]
        assert len(metadata) == len(expected) - 1  # the tombstone has none

    async def test_visibility_and_deletion(
        self, client: httpx.AsyncClient, oai_schema: etree.XMLSchema
    ) -> None:
        ids, pages = await harvest(client, oai_schema, metadataPrefix="oai_dc")
        assert REPO + "a-draft" not in ids
        assert REPO + "future-embargo" not in ids
        assert REPO + "ended-embargo" in ids
        deleted = [
            h.findtext("oai:identifier", namespaces=NS)
            for p in pages
            for h in p.xpath("//oai:header[@status='deleted']", namespaces=NS)
        ]
        assert deleted == [REPO + "was-deleted"]

    async def test_get_record_oai_dc(
        self, client: httpx.AsyncClient, oai_schema: etree.XMLSchema
    ) -> None:
        doc = await oai(
            client,
            oai_schema,
            verb="GetRecord",
            metadataPrefix="oai_dc",
            identifier=REPO + "mouse-atlas",
        )
        titles = doc.xpath("//dc:title", namespaces=NS)
        assert {(t.get("{http://www.w3.org/XML/1998/namespace}lang"), t.text) for t in titles} == {
            ("en", "Mouse brain atlas"),
            ("de", "Mausgehirnatlas"),
        }
        assert "https://doi.org/10.5281/zenodo.1234567" in doc.xpath(
            "//dc:identifier/text()", namespaces=NS
        )
        assert doc.xpath("//dc:description/text()", namespaces=NS) == [
            "Single-cell RNA-seq of the adult mouse brain & <cortex>."
        ]

    async def test_paging_reports_size_and_cursor(
        self, client: httpx.AsyncClient, oai_schema: etree.XMLSchema
    ) -> None:
        ids, pages = await harvest(client, oai_schema, metadataPrefix="oai_dc")
        assert len(ids) == len(set(ids)) == 207
        tokens = [token(p) for p in pages]
        assert [int(t.get("cursor")) for t in tokens if t is not None] == [0, 50, 100, 150, 200]
        assert {t.get("completeListSize") for t in tokens if t is not None} == {"207"}
        last = tokens[-1]
        assert last is not None
        assert not last.text
        assert last.get("expirationDate") is None
        first = tokens[0]
        assert first is not None
        assert first.get("expirationDate", "").endswith("Z")


class TestSelective:
    async def test_sets(self, client: httpx.AsyncClient, oai_schema: etree.XMLSchema) -> None:
        software, _ = await harvest(
            client, oai_schema, metadataPrefix="oai_dc", set="type:Software"
        )
        assert len(software) == 201  # the bio.tools entries and the deleted tool
        controlled, _ = await harvest(
            client, oai_schema, metadataPrefix="oai_dc", set="access:controlled"
        )
        assert controlled == [REPO + "cohort-genomes"]
        everything, _ = await harvest(client, oai_schema, metadataPrefix="oai_dc", set="type")
        assert len(everything) == 207
        doc = await oai(client, oai_schema, verb="ListSets")
        assert "type:CourseInstance" in doc.xpath("//oai:setSpec/text()", namespaces=NS)

    async def test_from_until_at_seconds(
        self, client: httpx.AsyncClient, oai_schema: etree.XMLSchema
    ) -> None:
        # the samples are stored one second apart from 2024-03-01T12:00:00Z, in sample order
        ids, _ = await harvest(
            client,
            oai_schema,
            metadataPrefix="oai_dc",
            **{"from": "2024-03-01T12:00:01Z", "until": "2024-03-01T12:00:02Z"},
        )
        assert ids == [REPO + "cohort-genomes", REPO + "minimal-dataset"]
        ids, _ = await harvest(
            client,
            oai_schema,
            metadataPrefix="oai_dc",
            **{"from": "2024-04-01", "until": "2024-04-01"},
        )
        assert ids == [REPO + "was-deleted"]

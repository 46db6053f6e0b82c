"""The federation's OAI-PMH repository: schema-valid, and harvested whole by a real client."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
from lxml import etree
from sickle import Sickle

from tests.federation.conftest import FEDERATION, REAL_NODES, Federation
from tests.metadata.publishing.oai_helpers import NS, error_code, identifiers, token

PREFIX = f"oai:{FEDERATION}:"


def valid(content: bytes, schema: etree.XMLSchema) -> etree._Element:
    doc = etree.fromstring(content)
    assert schema.validate(doc), schema.error_log
    return doc


def harvest(url: str, method: str = "GET", **params: str) -> list[str]:
    client = Sickle(url, http_method=method, max_retries=3, timeout=30)
    return [header.identifier for header in client.ListIdentifiers(**params)]


def harvest_records(url: str) -> list[tuple[str, list[str]]]:
    client = Sickle(url, max_retries=3, timeout=30)
    return [
        (r.header.identifier, r.metadata.get("title", []))
        for r in client.ListRecords(metadataPrefix="oai_dc")
    ]


def public_records(federation: Federation) -> set[str]:
    return {f"{PREFIX}{node}:{i}" for node, ids in federation.seeded.items() for i in ids}


async def walk_healthy_only(federation: Federation) -> None:
    # the hanging and broken Nodes are walked too; make them plainly absent for a harvest
    registry = federation.registry_app
    async with httpx.AsyncClient(base_url=federation.registry.url) as client:
        admin = {"Authorization": f"Bearer {federation.tokens.admin()}"}
        for node in ("nl", "se", "uk"):
            response = await client.patch(
                f"/api/v1/nodes/{node}", json={"status": "suspended"}, headers=admin
            )
            assert response.status_code == 200
    del registry
    async with federation.client() as gateway:
        for _ in range(200):
            nodes = (await gateway.get("/api/v1/nodes")).json()["nodes"]
            if all(n["status"] == "suspended" for n in nodes if n["id"] in ("nl", "se", "uk")):
                return
            await asyncio.sleep(0.05)
    raise AssertionError("the gateway did not learn of the suspensions")


class TestHarvest:
    async def test_real_client_harvests_every_public_record(self, federation: Federation) -> None:
        await walk_healthy_only(federation)
        url = federation.gateway.url + "/oai"
        harvested = await asyncio.to_thread(harvest, url, metadataPrefix="oai_dc")
        assert len(harvested) == len(set(harvested))
        assert set(harvested) == public_records(federation)
        records = await asyncio.to_thread(harvest_records, url)
        assert {identifier for identifier, _ in records} == public_records(federation)
        assert all(titles for _, titles in records)

    async def test_real_client_harvests_by_post(self, federation: Federation) -> None:
        # OAI-PMH 2.0 allows a form-encoded POST for every verb; the gateway answered 500
        await walk_healthy_only(federation)
        url = federation.gateway.url + "/oai"
        harvested = await asyncio.to_thread(harvest, url, "POST", metadataPrefix="oai_dc")
        assert set(harvested) == public_records(federation)
        async with federation.client() as client:
            identify = await client.post("/oai", data={"verb": "Identify"})
            assert identify.status_code == 200
            assert b"<Identify>" in identify.content
            bad = await client.post("/oai", data={"verb": "Identify", "extra": "1"})
            assert error_code(etree.fromstring(bad.content)) == "badArgument"

    async def test_node_set(self, federation: Federation) -> None:
        await walk_healthy_only(federation)
        url = federation.gateway.url + "/oai"
        harvested = await asyncio.to_thread(harvest, url, metadataPrefix="oai_dc", set="node:fi")
        assert set(harvested) == {f"{PREFIX}fi:{i}" for i in federation.seeded["fi"]}

    async def test_pages_are_schema_valid_and_tokens_walk_the_nodes(
        self, federation: Federation, oai_schema: etree.XMLSchema
    ) -> None:
        await walk_healthy_only(federation)
        seen: list[str] = []
        params = {"verb": "ListRecords", "metadataPrefix": "oai_datacite"}
        async with federation.client() as client:
            for _ in range(20):
                response = await client.get("/oai", params=params)
                assert response.status_code == 200
                doc = valid(response.content, oai_schema)
                seen += identifiers(doc)
                found = token(doc)
                if found is None or not (found.text or "").strip():
                    break
                params = {"verb": "ListRecords", "resumptionToken": found.text or ""}
        assert set(seen) == public_records(federation)
        assert len(seen) == len(set(seen))


class TestVerbs:
    async def test_identify_and_sets(
        self, federation: Federation, oai_schema: etree.XMLSchema
    ) -> None:
        async with federation.client() as client:
            identify = valid((await client.get("/oai?verb=Identify")).content, oai_schema)
            assert identify.findtext(".//oai:repositoryName", namespaces=NS)
            sets = valid((await client.get("/oai?verb=ListSets")).content, oai_schema)
            specs = {str(s) for s in sets.xpath("//oai:setSpec/text()", namespaces=NS)}
            assert {f"node:{n}" for n in REAL_NODES} <= specs
            assert "type:Dataset" in specs
            formats = valid((await client.get("/oai?verb=ListMetadataFormats")).content, oai_schema)
            prefixes = formats.xpath("//oai:metadataPrefix/text()", namespaces=NS)
            assert {"oai_dc", "oai_datacite"} <= {str(p) for p in prefixes}

    async def test_get_record_by_federation_identifier(
        self, federation: Federation, oai_schema: etree.XMLSchema
    ) -> None:
        identifier = f"{PREFIX}pt:pt-rec-0"
        async with federation.client() as client:
            response = await client.get(
                "/oai",
                params={"verb": "GetRecord", "identifier": identifier, "metadataPrefix": "oai_dc"},
            )
            doc = valid(response.content, oai_schema)
            assert identifiers(doc) == [identifier]
            specs = doc.xpath("//oai:header/oai:setSpec/text()", namespaces=NS)
            assert "node:pt" in specs
            missing = await client.get(
                "/oai",
                params={
                    "verb": "GetRecord",
                    "identifier": f"{PREFIX}pt:nothing",
                    "metadataPrefix": "oai_dc",
                },
            )
            assert error_code(valid(missing.content, oai_schema)) == "idDoesNotExist"

    async def test_protocol_errors(
        self, federation: Federation, oai_schema: etree.XMLSchema
    ) -> None:
        async with federation.client() as client:
            cases = {
                "verb=Nonsense": "badVerb",
                "verb=ListRecords": "badArgument",
                "verb=ListRecords&resumptionToken=forged": "badResumptionToken",
                "verb=ListRecords&metadataPrefix=oai_dc&set=node:zz": "noRecordsMatch",
                "verb=ListRecords&metadataPrefix=marc21&set=node:de": "cannotDisseminateFormat",
            }
            for query, code in cases.items():
                doc = valid((await client.get(f"/oai?{query}")).content, oai_schema)
                assert error_code(doc) == code, query

    async def test_a_failing_node_mid_walk_asks_the_harvester_to_retry(
        self, federation: Federation
    ) -> None:
        # the walk reaches the hanging Node "nl" after de and fi: flow control, nothing lost
        async with federation.client() as client:
            params = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "node"}
            response = await client.get("/oai", params=params)
            for _ in range(10):
                if response.status_code != 200:
                    break
                found = token(etree.fromstring(response.content))
                assert found is not None
                assert found.text
                params = {"verb": "ListIdentifiers", "resumptionToken": found.text}
                response = await client.get("/oai", params=params)
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "10"


class TestPages:
    @pytest.mark.parametrize("verb", ["ListIdentifiers", "ListRecords"])
    async def test_pages_are_bounded_and_say_size_and_cursor(
        self, federation: Federation, oai_schema: etree.XMLSchema, verb: str
    ) -> None:
        await walk_healthy_only(federation)
        page_size = 4  # the fixture's OAI_PAGE_SIZE; every Node holds more
        expected = public_records(federation)
        seen: list[str] = []
        params = {"verb": verb, "metadataPrefix": "oai_dc"}
        async with federation.client() as client:
            for _ in range(20):
                response = await client.get("/oai", params=params)
                doc = valid(response.content, oai_schema)
                page = identifiers(doc)
                assert 1 <= len(page) <= page_size
                found = token(doc)
                assert found is not None
                assert found.get("completeListSize") == str(len(expected))
                assert found.get("cursor") == str(len(seen))
                seen += page
                if not (found.text or "").strip():
                    break
                params = {"verb": verb, "resumptionToken": found.text or ""}
        assert len(seen) == len(set(seen)) == len(expected)
        assert set(seen) == expected

    async def test_a_node_set_counts_that_nodes_list(
        self, federation: Federation, oai_schema: etree.XMLSchema
    ) -> None:
        await walk_healthy_only(federation)
        async with federation.client() as client:
            response = await client.get(
                "/oai",
                params={
                    "verb": "ListIdentifiers",
                    "metadataPrefix": "oai_dc",
                    "set": "node:pt",
                    "from": "2000-01-01",
                },
            )
        doc = valid(response.content, oai_schema)
        # pt holds 6 public records: two pages of at most 4
        assert len(identifiers(doc)) == 4
        found = token(doc)
        assert found is not None
        assert (found.get("completeListSize"), found.get("cursor")) == ("6", "0")


class TestErrorsSpeakForTheFederation:
    async def test_errors_name_the_federation_identifier_not_the_nodes(
        self, federation: Federation, oai_schema: etree.XMLSchema
    ) -> None:
        missing = f"{PREFIX}pt:nothing"
        present = f"{PREFIX}pt:pt-rec-0"
        async with federation.client() as client:
            asked = {
                "idDoesNotExist": {
                    "verb": "GetRecord",
                    "identifier": missing,
                    "metadataPrefix": "oai_dc",
                },
                "cannotDisseminateFormat": {
                    "verb": "GetRecord",
                    "identifier": present,
                    "metadataPrefix": "marc21",
                },
                "idDoesNotExist ": {"verb": "ListMetadataFormats", "identifier": missing},
            }
            for code, params in asked.items():
                doc = valid((await client.get("/oai", params=params)).content, oai_schema)
                assert error_code(doc) == code.strip()
                message = doc.findtext("oai:error", namespaces=NS) or ""
                assert params["identifier"] in message, message
                assert federation.nodes["pt"].url.split("//")[1] not in message, message
                # the Node's own scheme (oai:{its repository id}:...) is not the federation's
                node_identifiers = re.findall(r"oai:[^\s]+", message)
                assert all(i.startswith(PREFIX) for i in node_identifiers), message

"""The gateway over a real federation: merged answers, failing Nodes, paging, discovery."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx
import pytest
from converge_common.testing.plugin import bearer

from tests.federation.conftest import REAL_NODES, Federation


async def gateway_search(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get("/api/v1/search", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


EXPECTED_STATUSES = {
    "de": "ok",
    "fi": "ok",
    "pt": "ok",
    "nl": "timeout",
    "se": "error",
    "uk": "error",
}


class TestFederatedSearch:
    async def test_union_of_the_nodes_own_answers(self, federation: Federation) -> None:
        async with federation.client() as client:
            page = await gateway_search(client, q="protein", limit=100)
        expected: set[str] = set()
        facets: Counter[tuple[str, str]] = Counter()
        total = 0
        for node in REAL_NODES:
            own = await federation.node_search(node, q="protein")
            expected |= {f"{node}:{hit['id']}" for hit in own["items"]}
            total += own["total"]
            for dimension, values in own["facets"].items():
                for value in values:
                    facets[(dimension, value["value"])] += value["count"]
        assert {item["global_id"] for item in page["items"]} == expected
        assert len(expected) == 15
        assert page["total"] == total == 15
        merged = {
            (dimension, value["value"]): value["count"]
            for dimension, values in page["facets"].items()
            for value in values
        }
        assert merged == dict(facets)
        assert merged[("type", "Dataset")] == 15
        assert {item["node"] for item in page["items"]} == set(REAL_NODES)

    async def test_stopped_hanging_and_garbage_nodes(self, federation: Federation) -> None:
        async with federation.client() as client:
            page = await gateway_search(client, q="genome")
        assert {n: s["status"] for n, s in page["nodes"].items()} == EXPECTED_STATUSES
        assert {item["global_id"] for item in page["items"]} == {
            *(f"de:de-rec-{i}" for i in (7, 8)),
            *(f"fi:fi-rec-{i}" for i in (3, 4, 5, 6)),
        }
        assert page["partial"] is True
        assert page["nodes"]["se"]["reason"] == "malformed search answer"

    async def test_paging_returns_every_record_exactly_once(self, federation: Federation) -> None:
        seen: list[str] = []
        cursor = None
        async with federation.client() as client:
            for _ in range(30):
                params: dict[str, Any] = {"limit": 4, "node": "de,fi,pt"}
                if cursor:
                    params["cursor"] = cursor
                page = await gateway_search(client, **params)
                seen += [item["global_id"] for item in page["items"]]
                cursor = page["next_cursor"]
                if not cursor:
                    break
        expected = {f"{node}:{i}" for node, ids in federation.seeded.items() for i in ids}
        assert len(seen) == len(set(seen))
        assert set(seen) == expected
        assert len(expected) == 22  # drafts stay at their Node

    async def test_records_through_the_gateway(self, federation: Federation) -> None:
        async with federation.client() as client:
            found = await client.get("/api/v1/records/de:de-rec-0")
            assert found.status_code == 200, found.text
            assert found.json()["global_id"] == "de:de-rec-0"
            assert (await client.get("/api/v1/records/de:de-rec-99")).status_code == 404
            assert (await client.get("/api/v1/records/xx:nothing")).status_code == 404
            hanging = await client.get("/api/v1/records/nl:anything")
            assert hanging.status_code == 504

    @pytest.mark.parametrize(
        "media",
        [
            "application/ld+json",
            "application/vnd.datacite.datacite+xml",
            "text/turtle",
            "application/rdf+xml",
        ],
    )
    async def test_every_representation_of_a_real_node_passes_the_checks(
        self, federation: Federation, media: str
    ) -> None:
        async with federation.client() as client:
            response = await client.get("/api/v1/records/de:de-rec-0", headers={"Accept": media})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].split(";")[0] == media
        assert response.headers["x-content-type-options"] == "nosniff"


class TestRecordFormats:
    @pytest.mark.parametrize(
        ("fmt", "media"),
        [
            ("json", "application/json"),
            ("jsonld", "application/ld+json"),
            ("json-ld", "application/ld+json"),
            ("datacite", "application/vnd.datacite.datacite+xml"),
            ("ttl", "text/turtle"),
            ("turtle", "text/turtle"),
            ("rdf", "application/rdf+xml"),
            ("application/ld+json", "application/ld+json"),
        ],
    )
    async def test_format_chooses_what_the_node_serves_for_that_type(
        self, federation: Federation, fmt: str, media: str
    ) -> None:
        async with httpx.AsyncClient(base_url=federation.nodes["de"].url, timeout=10) as node:
            own = await node.get("/api/v1/records/de-rec-0", headers={"Accept": media})
        assert own.status_code == 200, own.text
        async with federation.client() as client:
            # the query wins over a browser's Accept, as at a Node
            response = await client.get(
                "/api/v1/records/de:de-rec-0",
                params={"format": fmt},
                headers={"Accept": "text/html,*/*;q=0.8"},
            )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].split(";")[0] == media
        assert response.content == own.content

    async def test_an_unknown_format_is_406_naming_the_parameter(
        self, federation: Federation
    ) -> None:
        async with federation.client() as client:
            response = await client.get("/api/v1/records/de:de-rec-0", params={"format": "html"})
        assert response.status_code == 406
        problem = response.json()
        assert problem["parameter"] == "format"
        assert "jsonld" in problem["detail"]


class TestDiscovery:
    async def test_change_feed_keeps_the_directory_current(self, federation: Federation) -> None:
        admin = bearer(federation.tokens.admin())
        async with httpx.AsyncClient(base_url=federation.registry.url) as registry:
            response = await registry.patch(
                "/api/v1/nodes/fi", json={"status": "suspended"}, headers=admin
            )
            assert response.status_code == 200, response.text
        async with federation.client() as client:
            for _ in range(200):
                nodes = (await client.get("/api/v1/nodes")).json()["nodes"]
                if {n["id"]: n["status"] for n in nodes}["fi"] == "suspended":
                    break
                await asyncio.sleep(0.05)
            page = await gateway_search(client, q="genome")
        assert page["nodes"]["fi"]["status"] == "skipped"
        assert {item["node"] for item in page["items"]} == {"de"}

    async def test_last_known_good_when_the_registry_is_down(self, federation: Federation) -> None:
        await federation.registry.stop()
        async with federation.client() as client:
            page = await gateway_search(client, q="protein", node="de,pt")
            assert {n: s["status"] for n, s in page["nodes"].items()} == {"de": "ok", "pt": "ok"}
            assert len(page["items"]) == 12

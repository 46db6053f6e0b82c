"""``GET /api/v1/records/{node}:{id}``: only what was asked for, checked, is passed on; every
other answer is that Node's error, and the gateway's own answers carry its security headers."""

from __future__ import annotations

import httpx
import pytest
from converge_common.headers import API_POLICY

from tests.gateway.conftest import StartFederation
from tests.gateway.simnode import RECORD_FAULTS, SimNode, SimRecord

RECORDS = [SimRecord("de0", "Mouse atlas"), SimRecord("gone", "old", type="Deleted")]
REPRESENTATIONS = {
    "application/json": b'"title": {"en": "Mouse atlas"}',
    "application/ld+json": b'"@type": "Dataset"',
    "application/vnd.datacite.datacite+xml": b"<title>Mouse atlas</title>",
    "text/turtle": b'"Mouse atlas"',
    "application/rdf+xml": b"<dct:title>Mouse atlas</dct:title>",
}


def node(record_mode: str = "ok") -> SimNode:
    return SimNode(list(RECORDS), record_mode=record_mode)


def assert_secured(headers: httpx.Headers) -> None:
    assert headers["content-security-policy"] == API_POLICY
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


class TestRepresentations:
    @pytest.mark.parametrize("media", list(REPRESENTATIONS))
    async def test_each_asked_representation_is_passed_on(
        self, federation: StartFederation, media: str
    ) -> None:
        fed = await federation({"de": node()})
        response = await fed.client.get("/api/v1/records/de:de0", headers={"Accept": media})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].split(";")[0] == media
        assert REPRESENTATIONS[media] in response.content
        assert response.headers["vary"] == "Accept"
        assert_secured(response.headers)
        # the Node was asked for exactly that representation
        assert fed.nodes["de"].headers_seen[-1]["accept"] == media

    @pytest.mark.parametrize(
        ("accept", "fmt", "media"),
        [
            (None, None, "application/json"),
            ("*/*", None, "application/json"),
            ("text/html,application/xhtml+xml,*/*;q=0.8", None, "application/json"),
            ("text/*", None, "text/turtle"),
            ("application/ld+json;q=0.5, text/turtle", None, "text/turtle"),
            ("text/html", "jsonld", "application/ld+json"),
            (None, "datacite", "application/vnd.datacite.datacite+xml"),
        ],
    )
    async def test_negotiation(
        self, federation: StartFederation, accept: str | None, fmt: str | None, media: str
    ) -> None:
        fed = await federation({"de": node()})
        headers = {"Accept": accept} if accept else {}
        params = {"format": fmt} if fmt else {}
        response = await fed.client.get("/api/v1/records/de:de0", headers=headers, params=params)
        assert response.status_code == 200
        assert response.headers["content-type"].split(";")[0] == media

    @pytest.mark.parametrize(
        ("accept", "fmt"), [("text/html", None), ("image/png, */*;q=0", None), (None, "html")]
    )
    async def test_nothing_acceptable_is_406_without_calling_the_node(
        self, federation: StartFederation, accept: str | None, fmt: str | None
    ) -> None:
        fed = await federation({"de": node()})
        headers = {"Accept": accept} if accept else {}
        params = {"format": fmt} if fmt else {}
        response = await fed.client.get("/api/v1/records/de:de0", headers=headers, params=params)
        assert response.status_code == 406
        assert response.headers["content-type"] == "application/problem+json"
        assert fed.nodes["de"].calls == []

    async def test_the_nodes_problems_are_reissued(self, federation: StartFederation) -> None:
        fed = await federation({"de": node()})
        missing = await fed.client.get("/api/v1/records/de:nothing")
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"
        assert missing.json()["instance"] == "/api/v1/records/de:nothing"
        assert_secured(missing.headers)
        gone = await fed.client.get("/api/v1/records/de:gone")
        assert gone.status_code == 410
        assert gone.json()["deleted_at"] == "2026-01-01T00:00:00+00:00"
        unknown_node = await fed.client.get("/api/v1/records/zz:de0")
        assert unknown_node.status_code == 404
        assert_secured(unknown_node.headers)


class TestWhatANodeMayNotPassOn:
    @pytest.mark.parametrize("fault", [*RECORD_FAULTS, "ignores_accept"])
    async def test_refused_as_that_nodes_error(
        self, federation: StartFederation, fault: str
    ) -> None:
        fed = await federation({"de": node(fault)}, breaker_failures=100)
        accept = {
            "xml_entity": "application/vnd.datacite.datacite+xml",
            "deep_xml": "application/vnd.datacite.datacite+xml",
            "xml_not_datacite": "application/vnd.datacite.datacite+xml",
            "bad_turtle": "text/turtle",
            "ignores_accept": "text/turtle",
        }.get(fault, "application/json")
        response = await fed.client.get("/api/v1/records/de:de0", headers={"Accept": accept})
        assert response.status_code == 502, response.text
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["node"] == "de"
        assert problem["detail"].startswith("Node de failed: ")
        assert b"<script>" not in response.content
        assert b"root:" not in response.content
        assert_secured(response.headers)
        assert fed.gateway.fanout.breakers.get("de").failures == 1

    async def test_html_from_a_node_is_never_served(self, federation: StartFederation) -> None:
        fed = await federation({"de": node("html")})
        response = await fed.client.get("/api/v1/records/de:de0", headers={"Accept": "*/*"})
        assert response.status_code == 502
        assert "text/html" not in response.headers["content-type"]
        assert "answered text/html when asked for application/json" in response.json()["detail"]

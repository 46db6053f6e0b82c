"""Text and integers the gateway refuses before it calls any Node (issue #10)."""

from __future__ import annotations

import httpx
import pytest

from tests.gateway.conftest import StartFederation, corpus
from tests.gateway.simnode import SimNode


def _errors(response: httpx.Response) -> set[tuple[str, str, str]]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return {(e["pointer"], e["rule"], e.get("in", "body")) for e in response.json()["errors"]}


class TestRefusedBeforeTheNodes:
    @pytest.mark.parametrize("name", ["q", "keyword", "topic", "node"])
    async def test_search_text(self, federation: StartFederation, name: str) -> None:
        node = SimNode(corpus("de", ["Mouse atlas"]))
        fed = await federation({"de": node})
        response = await fed.client.get("/api/v1/search", params={name: "brain\x00"})
        assert _errors(response) == {(f"/{name}", "text", "query")}
        assert node.calls == []
        # the Node was never asked, so nothing counts against it
        assert (await fed.search(q="mouse"))["nodes"]["de"]["status"] == "ok"

    async def test_search_limit(self, federation: StartFederation) -> None:
        node = SimNode(corpus("de", ["Mouse atlas"]))
        fed = await federation({"de": node})
        response = await fed.client.get("/api/v1/search", params={"limit": 2**63})
        assert _errors(response) == {("/limit", "maximum", "query")}
        assert node.calls == []

    async def test_record_id(self, federation: StartFederation) -> None:
        node = SimNode(corpus("de", ["Mouse atlas"]))
        fed = await federation({"de": node})
        response = await fed.client.get("/api/v1/records/de:a%00b")
        assert _errors(response) == {("/global_id", "text", "path")}
        assert node.calls == []

    async def test_oai_answers_in_its_protocol(self, federation: StartFederation) -> None:
        fed = await federation({"de": SimNode(corpus("de", ["Mouse atlas"]))})
        for query, code in (
            ("verb=Identify%00", "badVerb"),
            ("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:x:de:a%00", "badArgument"),
        ):
            response = await fed.client.get(f"/oai?{query}")
            assert response.status_code == 200, response.text
            assert f'code="{code}"' in response.text

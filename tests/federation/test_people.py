"""``GET /api/v1/people`` at the gateway: the registry's experts, with EDAM labels the Nodes'
term lookup gives, found by topic, label, synonym, name, language and Node."""

from __future__ import annotations

from typing import Any

from converge_common.testing.plugin import bearer

from tests.federation.conftest import Federation
from tests.federation.experts import seed_people


async def people(fed: Federation, *params: tuple[str, str], **headers: str) -> dict[str, Any]:
    async with fed.client() as client:
        response = await client.get("/api/v1/people", params=list(params), headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def names(body: dict[str, Any]) -> list[str]:
    return [p["name"] for p in body["items"]]


class TestPeople:
    async def test_everyone_with_labels(self, federation: Federation) -> None:
        await seed_people(federation)
        body = await people(federation)
        assert names(body) == [
            "Ada Steward",
            "Aino Trainer",
            "Beatriz Proteomics",
            "Carlos Steward",
        ]
        ada = body["items"][0]
        assert ada["node"] == "de"
        assert ada["node_name"] == "ELIXIR DE"
        assert ada["role"] == "data steward"
        assert ada["orcid_url"] == "https://orcid.org/0000-0002-1825-0097"
        assert {(t["id"], t["label"]) for t in ada["expertise"]} == {
            ("topic_0121", "Proteomics"),
            ("topic_0108", "Protein expression"),
        }
        assert ada["languages"] == ["de", "en"]
        assert body["terms_error"] is None

    async def test_never_an_email(self, federation: Federation) -> None:
        await seed_people(federation)
        anonymous = await people(federation)
        signed_in = await people(
            federation, Authorization=bearer(federation.tokens.admin())["Authorization"]
        )
        for body in (anonymous, signed_in):
            assert body["items"]
            assert all("email" not in p for p in body["items"])
            assert "example.org" not in str(body)

    async def test_finds_a_steward_by_an_edam_synonym(self, federation: Federation) -> None:
        await seed_people(federation)
        # "Quantitative proteomics" is a synonym of EDAM's Proteomics (topic_0121)
        body = await people(federation, ("q", "quantitative proteomics"))
        assert names(body) == ["Ada Steward", "Carlos Steward"]
        assert {"id": "topic_0121", "label": "Proteomics"} in body["q_topics"]

    async def test_q_finds_by_label_or_name(self, federation: Federation) -> None:
        await seed_people(federation)
        # Proteomics by its label, and Beatriz by her name
        body = await people(federation, ("q", "Proteomics"))
        assert names(body) == ["Ada Steward", "Beatriz Proteomics", "Carlos Steward"]

    async def test_filters(self, federation: Federation) -> None:
        await seed_people(federation)
        by_topic = await people(federation, ("expertise", "topic_0121"))
        assert names(by_topic) == ["Ada Steward", "Carlos Steward"]
        by_language = await people(federation, ("language", "pt"), ("language", "fi"))
        assert names(by_language) == ["Aino Trainer", "Beatriz Proteomics", "Carlos Steward"]
        by_node = await people(federation, ("node", "pt"), ("expertise", "topic_0121"))
        assert names(by_node) == ["Carlos Steward"]
        with_q = await people(federation, ("q", "proteomics"), ("language", "de"))
        assert names(with_q) == ["Ada Steward"]

    async def test_paging(self, federation: Federation) -> None:
        await seed_people(federation)
        for params in ((), (("q", "steward"),)):
            seen: list[str] = []
            cursor: str | None = None
            for _ in range(5):
                extra = (("cursor", cursor),) if cursor else ()
                body = await people(federation, *params, ("limit", "1"), *extra)
                seen += names(body)
                cursor = body["next_cursor"]
                if cursor is None:
                    break
            expected = await people(federation, *params)
            assert seen == names(expected)
            assert len(seen) >= 2

    async def test_a_node_down_still_resolves_terms(self, federation: Federation) -> None:
        await seed_people(federation)
        await federation.nodes["de"].stop()  # the first Node the gateway would ask
        body = await people(federation, ("q", "quantitative proteomics"))
        assert names(body) == ["Ada Steward", "Carlos Steward"]
        assert body["terms_error"] is None
        assert body["items"][0]["expertise"][0]["label"] is not None


class TestBadInput:
    async def test_problems_name_the_parameter(self, federation: Federation) -> None:
        cases = [
            (("expertise", "proteomics"), 422, "/expertise"),
            (("language", "portuguese"), 422, "/language"),
            (("node", "xx"), 400, "/node"),
            (("limit", "101"), 422, "/limit"),
            (("cursor", "not-a-cursor"), 400, "/cursor"),
        ]
        async with federation.client() as client:
            for param, status, pointer in cases:
                response = await client.get("/api/v1/people", params=[param])
                assert response.status_code == status, (param, response.text)
                assert response.headers["content-type"].startswith("application/problem+json")
                assert response.json()["errors"][0]["pointer"] == pointer

    async def test_a_cursor_belongs_to_its_query(self, federation: Federation) -> None:
        await seed_people(federation)
        body = await people(federation, ("limit", "1"))
        async with federation.client() as client:
            response = await client.get(
                "/api/v1/people", params={"cursor": body["next_cursor"], "q": "x"}
            )
        assert response.status_code == 400

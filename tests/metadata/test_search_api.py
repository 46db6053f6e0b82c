"""Search: full text over vocabulary labels, filters, facets, snippets, cursors, visibility."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest_asyncio

from tests.metadata.conftest import dataset


def _software(local_id: str, title: str, **kw: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": local_id,
        "type": "Software",
        "status": "published",
        "title": {"en": title},
        "description": {"en": f"{title} is a command-line tool."},
        "topics": ["topic_0121"],
        "license": "MIT",
        "issued": "2020-01-01",
        "software": {"operations": ["operation_3767"], "biotools_id": local_id},
    }
    body.update(kw)
    return body


@pytest_asyncio.fixture(loop_scope="session")
async def corpus(api: httpx.AsyncClient, steward: dict[str, str]) -> None:
    future = (datetime.now(UTC).date() + timedelta(days=10)).isoformat()
    bodies = [
        dataset(),
        dataset(
            id="human-liver",
            title={"en": "Human liver proteome"},
            topics=["topic_0121"],
            dataset={"organisms": ["9606"]},
            issued="2021-03-01",
            keywords=["liver", "zebra"],
        ),
        _software("maxquant", "MaxQuant"),
        _software("peptideshaker", "PeptideShaker", license="Apache-2.0", issued="2022-01-01"),
        dataset(
            id="secret",
            title={"en": "Embargoed zebra study"},
            topics=["topic_0121"],
            access={"level": "embargoed", "embargo_until": future},
        ),
        dataset(id="draft", title={"en": "Draft zebra study"}, status="draft"),
    ]
    for body in bodies:
        response = await api.post("/api/v1/records", json=body, headers=steward)
        assert response.status_code == 201, response.text


class TestFullText:
    async def test_edam_label_finds_annotated_records(
        self, api: httpx.AsyncClient, corpus: None
    ) -> None:
        # "proteomics" appears in no title or description, only as the EDAM topic's label
        body = (await api.get("/api/v1/search", params={"q": "proteomics"})).json()
        assert {i["id"] for i in body["items"]} == {"human-liver", "maxquant", "peptideshaker"}
        assert body["total"] == 3

    async def test_taxonomy_names(self, api: httpx.AsyncClient, corpus: None) -> None:
        # organisms are given as ids only; the names come from the taxonomy
        body = (await api.get("/api/v1/search", params={"q": "musculus"})).json()
        assert [i["id"] for i in body["items"]] == ["mouse-atlas"]
        body = (await api.get("/api/v1/search", params={"q": "Homo sapiens"})).json()
        assert [i["id"] for i in body["items"]] == ["human-liver"]

    async def test_title_ranks_first_and_snippet_marks(
        self, api: httpx.AsyncClient, corpus: None
    ) -> None:
        body = (await api.get("/api/v1/search", params={"q": "maxquant"})).json()
        hit = body["items"][0]
        assert hit["id"] == "maxquant"
        assert "<mark>MaxQuant</mark>" in hit["snippet"]
        assert hit["global_id"] == "de:maxquant"
        assert hit["rank"] == 1
        assert hit["score"] > 0

    async def test_identifier_and_creator(self, api: httpx.AsyncClient, corpus: None) -> None:
        by_orcid = await api.get("/api/v1/search", params={"q": "0000-0002-1825-0097"})
        assert "mouse-atlas" in {i["id"] for i in by_orcid.json()["items"]}
        by_name = await api.get("/api/v1/search", params={"q": "Carberry"})
        assert {i["id"] for i in by_name.json()["items"]} == {"mouse-atlas", "human-liver"}


class TestVisibility:
    async def test_drafts_and_running_embargoes_only_for_stewards(
        self, api: httpx.AsyncClient, steward: dict[str, str], corpus: None
    ) -> None:
        anon = (await api.get("/api/v1/search", params={"q": "zebra"})).json()
        assert {i["id"] for i in anon["items"]} == {"human-liver"}
        own = (await api.get("/api/v1/search", params={"q": "zebra"}, headers=steward)).json()
        assert {i["id"] for i in own["items"]} == {"human-liver", "secret", "draft"}


class TestFiltersAndFacets:
    async def test_filters_combine(self, api: httpx.AsyncClient, corpus: None) -> None:
        params: dict[str, Any] = {"type": "Software", "license": "apache-2.0"}
        body = (await api.get("/api/v1/search", params=params)).json()
        assert [i["id"] for i in body["items"]] == ["peptideshaker"]
        body = (await api.get("/api/v1/search", params={"topic": "topic_0121"})).json()
        assert body["total"] == 3
        body = (await api.get("/api/v1/search", params={"organism": "9606"})).json()
        assert [i["id"] for i in body["items"]] == ["human-liver"]
        body = (await api.get("/api/v1/search", params={"year_from": 2021, "year_to": 2021})).json()
        assert [i["id"] for i in body["items"]] == ["human-liver"]
        body = (await api.get("/api/v1/search", params={"keyword": "Liver"})).json()
        assert [i["id"] for i in body["items"]] == ["human-liver"]

    async def test_facet_counts_with_labels(self, api: httpx.AsyncClient, corpus: None) -> None:
        facets = (await api.get("/api/v1/search")).json()["facets"]
        assert facets["type"] == [
            {"value": "Dataset", "label": "Dataset", "count": 2},
            {"value": "Software", "label": "Software", "count": 2},
        ]
        assert {
            "value": "http://edamontology.org/topic_0121",
            "label": "Proteomics",
            "count": 3,
        } in facets["topic"]
        assert {
            "value": "http://purl.obolibrary.org/obo/NCBITaxon_10090",
            "label": "Mus musculus",
            "count": 1,
        } in facets["organism"]
        assert facets["access"] == [{"value": "public", "label": "public", "count": 4}]
        licences = {f["value"]: f["label"] for f in facets["license"]}
        assert licences["MIT"] == "MIT License"


class TestFacetSize:
    async def test_facet_size_sets_the_values_per_dimension(
        self, api: httpx.AsyncClient, corpus: None
    ) -> None:
        full = (await api.get("/api/v1/search")).json()["facets"]
        assert len(full["year"]) == 4
        one = (await api.get("/api/v1/search", params={"facet_size": 1})).json()["facets"]
        assert one["year"] == full["year"][:1]
        assert all(len(values) <= 1 for values in one.values())
        # a size is part of the question: the anonymous answer cache keeps them apart
        again = (await api.get("/api/v1/search")).json()["facets"]
        assert again == full

    async def test_facet_size_is_bounded(self, api: httpx.AsyncClient, corpus: None) -> None:
        response = await api.get("/api/v1/search", params={"facet_size": 101})
        assert response.status_code == 422
        [error] = response.json()["errors"]
        assert (error["pointer"], error["rule"]) == ("/facet_size", "maximum")


class TestAccessFacet:
    async def test_lapsed_embargo_counts_as_public(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        today = datetime.now(UTC).date()
        bodies = [
            dataset(id="open"),
            dataset(
                id="lapsed",
                access={
                    "level": "embargoed",
                    "embargo_until": (today - timedelta(days=1)).isoformat(),
                },
            ),
            dataset(
                id="running",
                access={
                    "level": "embargoed",
                    "embargo_until": (today + timedelta(days=9)).isoformat(),
                },
            ),
        ]
        for body in bodies:
            response = await api.post("/api/v1/records", json=body, headers=steward)
            assert response.status_code == 201, response.text
        anon = (await api.get("/api/v1/search")).json()["facets"]["access"]
        assert anon == [{"value": "public", "label": "public", "count": 2}]
        own = (await api.get("/api/v1/search", headers=steward)).json()["facets"]["access"]
        assert own == [
            {"value": "public", "label": "public", "count": 2},
            {"value": "embargoed", "label": "embargoed", "count": 1},
        ]


class TestSortAndCursor:
    async def test_title_sort_pages_through_everything(
        self, api: httpx.AsyncClient, corpus: None
    ) -> None:
        seen: list[str] = []
        params: dict[str, Any] = {"sort": "title", "limit": 3}
        for _ in range(5):
            body = (await api.get("/api/v1/search", params=params)).json()
            seen += [i["title"] for i in body["items"]]
            if not body.get("next_cursor"):
                break
            params["cursor"] = body["next_cursor"]
        assert seen == sorted(seen, key=str.casefold)
        assert len(seen) == 4

    async def test_relevance_cursor_and_tampering(
        self, api: httpx.AsyncClient, corpus: None
    ) -> None:
        first = (await api.get("/api/v1/search", params={"q": "proteomics", "limit": 2})).json()
        second = (
            await api.get(
                "/api/v1/search",
                params={"q": "proteomics", "limit": 2, "cursor": first["next_cursor"]},
            )
        ).json()
        ids = [i["id"] for i in first["items"] + second["items"]]
        assert sorted(ids) == ["human-liver", "maxquant", "peptideshaker"]
        assert second["items"][0]["rank"] == 3
        other = await api.get(
            "/api/v1/search", params={"q": "mouse", "cursor": first["next_cursor"]}
        )
        assert other.status_code == 400
        bad = await api.get("/api/v1/search", params={"q": "x", "cursor": "not-a-cursor"})
        assert bad.status_code == 400

"""``GET /api/v1/terms``: the Node's vocabularies by label, synonym or id (public)."""

from __future__ import annotations

import httpx


async def terms(api: httpx.AsyncClient, **params: object) -> httpx.Response:
    return await api.get("/api/v1/terms", params=params)  # type: ignore[arg-type]


class TestFindTerms:
    async def test_label_prefix_any_case(self, api: httpx.AsyncClient) -> None:
        response = await terms(api, vocabulary="edam_topic", q="PROTEOM")
        assert response.status_code == 200
        items = response.json()["items"]
        assert items[0]["id"] == "topic_0121"
        assert items[0]["label"] == "Proteomics"
        assert items[0]["uri"] == "http://edamontology.org/topic_0121"
        assert items[0]["matched_field"] == "label"
        assert "Quantitative proteomics" in items[0]["synonyms"]

    async def test_exact_label_first_then_prefix_then_synonym(self, api: httpx.AsyncClient) -> None:
        items = (await terms(api, vocabulary="edam_topic", q="genomics", limit=50)).json()["items"]
        labels = [i["label"] for i in items]
        assert labels[0] == "Genomics"
        assert labels.index("Functional genomics") < labels.index("Metagenomics")
        fields = [i["matched_field"] for i in items]
        # every label match comes before any synonym match
        assert fields == sorted(fields)
        assert items[-1]["matched"] in {"Community genomics", "Regulatory genomics"}

    async def test_synonym_names_what_matched(self, api: httpx.AsyncClient) -> None:
        items = (await terms(api, vocabulary="edam_topic", q="metaproteomics")).json()["items"]
        proteomics = next(i for i in items if i["id"] == "topic_0121")
        assert proteomics["matched"] == "Metaproteomics"
        assert proteomics["matched_field"] == "synonym"

    async def test_word_inside_a_label(self, api: httpx.AsyncClient) -> None:
        items = (await terms(api, vocabulary="edam_topic", q="expression", limit=50)).json()[
            "items"
        ]
        assert "topic_0108" in {i["id"] for i in items}  # Protein expression

    async def test_no_match_inside_a_word(self, api: httpx.AsyncClient) -> None:
        items = (await terms(api, vocabulary="edam_topic", q="roteomics")).json()["items"]
        assert items == []

    async def test_vocabularies_are_apart(self, api: httpx.AsyncClient) -> None:
        ops = (await terms(api, vocabulary="edam_operation", q="sequence alignment")).json()
        assert ops["items"]
        assert all(i["id"].startswith("operation_") for i in ops["items"])

    async def test_taxonomy_common_name(self, api: httpx.AsyncClient) -> None:
        items = (await terms(api, vocabulary="ncbi_taxonomy", q="house mouse")).json()["items"]
        assert items[0]["id"] == "10090"
        assert items[0]["label"] == "Mus musculus"

    async def test_limit(self, api: httpx.AsyncClient) -> None:
        items = (await terms(api, vocabulary="edam_topic", q="s", limit=3)).json()["items"]
        assert len(items) == 3


class TestLookupById:
    async def test_edam_id(self, api: httpx.AsyncClient) -> None:
        response = await terms(api, vocabulary="edam_topic", id="topic_0121")
        assert response.status_code == 200
        (item,) = response.json()["items"]
        assert item["label"] == "Proteomics"
        assert item["matched"] is None

    async def test_taxon_id(self, api: httpx.AsyncClient) -> None:
        (item,) = (await terms(api, vocabulary="ncbi_taxonomy", id="9606")).json()["items"]
        assert item["label"] == "Homo sapiens"

    async def test_unknown_id_is_left_out(self, api: httpx.AsyncClient) -> None:
        # an operation is not a topic
        response = await terms(api, vocabulary="edam_topic", id="operation_0292")
        assert response.status_code == 200
        assert response.json()["items"] == []


class TestBadInput:
    async def test_unknown_vocabulary(self, api: httpx.AsyncClient) -> None:
        response = await terms(api, vocabulary="mesh", q="x")
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["errors"][0]["pointer"] == "/vocabulary"

    async def test_limit_bounded(self, api: httpx.AsyncClient) -> None:
        response = await terms(api, vocabulary="edam_topic", q="x", limit=51)
        assert response.status_code == 422
        assert response.json()["errors"][0]["pointer"] == "/limit"

    async def test_q_bounded(self, api: httpx.AsyncClient) -> None:
        response = await terms(api, vocabulary="edam_topic", q="x" * 101)
        assert response.status_code == 422
        assert response.json()["errors"][0]["pointer"] == "/q"

    async def test_q_or_id_needed(self, api: httpx.AsyncClient) -> None:
        for params in ({}, {"q": "x", "id": "topic_0121"}, {"q": "   "}, {"q": "\u0301"}):
            response = await terms(api, vocabulary="edam_topic", **params)
            assert response.status_code == 422, params
            assert response.json()["errors"][0]["pointer"] == "/q"


class TestLookupSeveral:
    async def test_known_ones_in_order(self, api: httpx.AsyncClient) -> None:
        params = [("vocabulary", "edam_topic")] + [
            ("id", i) for i in ("topic_0108", "topic_9999", "topic_0121", "topic_0108")
        ]
        response = await api.get("/api/v1/terms", params=params)
        assert response.status_code == 200
        assert [i["label"] for i in response.json()["items"]] == [
            "Protein expression",
            "Proteomics",
        ]

    async def test_too_many(self, api: httpx.AsyncClient) -> None:
        params = [("vocabulary", "edam_topic")] + [("id", "topic_0121")] * 51
        response = await api.get("/api/v1/terms", params=params)
        assert response.status_code == 422
        assert response.json()["errors"][0]["pointer"] == "/id"

"""Organisms beyond mammals are found by name and labelled in facets (both backends)."""

from __future__ import annotations

import httpx
import pytest_asyncio

from tests.metadata.conftest import dataset


@pytest_asyncio.fixture(loop_scope="session")
async def corpus(api: httpx.AsyncClient, steward: dict[str, str]) -> None:
    for local_id, title, organisms in (
        ("cress-roots", "Root hair transcriptomes", ["3702"]),
        ("wheat-rust", "Field trial of rust resistance", ["4565", "NCBITaxon:5297"]),
        ("covid-wastewater", "Wastewater surveillance", ["2697049"]),
    ):
        body = dataset(id=local_id, title={"en": title}, dataset={"organisms": organisms})
        response = await api.post("/api/v1/records", json=body, headers=steward)
        assert response.status_code == 201, response.text


class TestOrganismsBeyondMammals:
    async def test_scientific_and_common_names_find_datasets(
        self, api: httpx.AsyncClient, corpus: None
    ) -> None:
        for query, expected in (
            ("arabidopsis", ["cress-roots"]),
            ("thale cress", ["cress-roots"]),
            ("bread wheat", ["wheat-rust"]),
            ("Puccinia", ["wheat-rust"]),
            ("coronavirus", ["covid-wastewater"]),
        ):
            body = (await api.get("/api/v1/search", params={"q": query})).json()
            assert [i["id"] for i in body["items"]] == expected, query

    async def test_stored_labels_and_facet_labels(
        self, api: httpx.AsyncClient, corpus: None
    ) -> None:
        record = (await api.get("/api/v1/records/cress-roots")).json()
        assert record["dataset"]["organisms"] == [
            {
                "uri": "http://purl.obolibrary.org/obo/NCBITaxon_3702",
                "label": "Arabidopsis thaliana",
            }
        ]
        body = (await api.get("/api/v1/search", params={"organism": "3702"})).json()
        assert [i["id"] for i in body["items"]] == ["cress-roots"]
        labels = {f["value"].rsplit("_", 1)[1]: f["label"] for f in body["facets"]["organism"]}
        assert labels == {"3702": "Arabidopsis thaliana"}
        everything = (await api.get("/api/v1/search", params={"type": "Dataset"})).json()
        labels = {f["label"] for f in everything["facets"]["organism"]}
        assert {
            "Triticum aestivum",
            "Puccinia graminis",
            "Severe acute respiratory syndrome coronavirus 2",
        } <= labels

"""The licence facet: SPDX ids with their names, and one bucket for records that state their
rights without an SPDX licence; counted from the facet index and in SQL alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from converge_common.testing.asgi import asgi_client
from converge_metadata.app import create_app
from converge_metadata.settings import MetadataSettings

from tests.metadata.conftest import dataset


@pytest_asyncio.fixture(loop_scope="session", params=[True, False], ids=["index", "sql"])
async def search_api(
    settings: MetadataSettings, request: pytest.FixtureRequest
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"search_facet_index": request.param}))
    async with asgi_client(app) as client:
        yield client


@pytest_asyncio.fixture(loop_scope="session")
async def corpus(search_api: httpx.AsyncClient, steward: dict[str, str]) -> None:
    bodies = [
        dataset(id="open", license="CC-BY 4.0"),
        dataset(id="mit", license="MIT"),
        dataset(id="closed", license="Proprietary"),
        dataset(id="terms", license=None, rights=[{"uri": "https://example.org/terms"}]),
        dataset(id="silent", license=None),
    ]
    for body in bodies:
        response = await search_api.post("/api/v1/records", json=body, headers=steward)
        assert response.status_code == 201, response.text


async def _search(api: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await api.get("/api/v1/search", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


class TestLicenceFacet:
    async def test_spdx_ids_and_rights_only_bucket(
        self, search_api: httpx.AsyncClient, corpus: None
    ) -> None:
        facet = (await _search(search_api))["facets"]["license"]
        assert facet == [
            {
                "value": "rights-statement",
                "label": "Rights statement, no SPDX licence",
                "count": 2,
            },
            {
                "value": "CC-BY-4.0",
                "label": "Creative Commons Attribution 4.0 International",
                "count": 1,
            },
            {"value": "MIT", "label": "MIT License", "count": 1},
        ]

    async def test_filter_by_bucket_and_by_variant(
        self, search_api: httpx.AsyncClient, corpus: None
    ) -> None:
        body = await _search(search_api, license="rights-statement")
        assert {i["id"] for i in body["items"]} == {"closed", "terms"}
        # a licence filter is read like a record's licence: names and URLs are its SPDX id
        body = await _search(search_api, license="https://creativecommons.org/licenses/by/4.0/")
        assert [i["id"] for i in body["items"]] == ["open"]
        body = await _search(search_api, license=["MIT", "rights-statement"])
        assert body["total"] == 3

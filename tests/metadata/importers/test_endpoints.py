"""``POST /api/v1/import``: who may import, body checks, and the report."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest_asyncio
from converge_common.testing.asgi import asgi_client
from converge_common.testing.plugin import Tokens, bearer
from converge_metadata.app import create_app
from converge_metadata.settings import MetadataSettings

from tests.metadata.conftest import dataset
from tests.metadata.importers.conftest import BIOTOOLS, DATACITE, DEEP_ARRAY, DEEP_OBJECT

_URL = "/api/v1/import"
_JSONL = {"Content-Type": "application/x-ndjson"}


@pytest_asyncio.fixture(loop_scope="session")
async def small_api(settings: MetadataSettings) -> AsyncIterator[httpx.AsyncClient]:
    capped = settings.model_copy(update={"import_max_bytes": 2048})
    async with asgi_client(create_app(capped)) as client:
        yield client


def _lines(*records: dict[str, object]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


class TestAuthorisation:
    async def test_anonymous_is_401(self, api: httpx.AsyncClient) -> None:
        response = await api.post(_URL, params={"format": "jsonl"}, content=b"", headers=_JSONL)
        assert response.status_code == 401

    async def test_other_node_is_403(self, api: httpx.AsyncClient, tokens: Tokens) -> None:
        headers = {**_JSONL, **bearer(tokens.node("fi"))}
        response = await api.post(_URL, params={"format": "jsonl"}, content=b"", headers=headers)
        assert response.status_code == 403

    async def test_no_role_is_403(self, api: httpx.AsyncClient, tokens: Tokens) -> None:
        headers = {**_JSONL, **bearer(tokens.nobody())}
        response = await api.post(_URL, params={"format": "jsonl"}, content=b"", headers=headers)
        assert response.status_code == 403


class TestImport:
    async def test_jsonl_report(self, api: httpx.AsyncClient, steward: dict[str, str]) -> None:
        body = _lines(
            dataset(id="one"),
            dataset(id="two", topics=["topic_9999"]),
            dataset(id="three", license="Proprietary"),
        )
        response = await api.post(
            _URL, params={"format": "jsonl"}, content=body, headers={**_JSONL, **steward}
        )
        assert response.status_code == 200, response.text
        report = response.json()
        assert (report["imported"], report["created"]) == (2, 2)
        assert report["rejected"] == [
            {
                "position": "body:2",
                "identifier": "two",
                "errors": [
                    {
                        "pointer": "/topics/0",
                        "rule": "edam_term",
                        "detail": "'topic_9999' is not an EDAM 1.25 concept",
                    }
                ],
            }
        ]
        record = await api.get("/api/v1/records/one")
        assert record.json()["created_by"] == "node-de"
        # a licence that is no SPDX licence is kept as the record's rights statement
        kept = (await api.get("/api/v1/records/three")).json()
        assert "license" not in kept
        assert kept["rights"] == [{"text": "Proprietary"}]

    async def test_biotools_then_again_unchanged(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        headers = {"Content-Type": "application/json", **steward}
        body = BIOTOOLS[0].read_bytes()
        first = await api.post(_URL, params={"format": "biotools"}, content=body, headers=headers)
        again = await api.post(_URL, params={"format": "biotools"}, content=body, headers=headers)
        assert first.json()["created"] == 1
        assert (again.json()["unchanged"], again.json()["created"]) == (1, 0)

    async def test_datacite_xml(self, api: httpx.AsyncClient, steward: dict[str, str]) -> None:
        headers = {"Content-Type": "application/xml", **steward}
        response = await api.post(
            _URL, params={"format": "datacite"}, content=DATACITE[0].read_bytes(), headers=headers
        )
        assert response.json()["imported"] == 1


class TestBodyChecks:
    async def test_unknown_format_is_422(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        response = await api.post(
            _URL, params={"format": "marc"}, content=b"", headers={**_JSONL, **steward}
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["pointer"] == "/format"

    async def test_wrong_media_type_is_415(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        headers = {"Content-Type": "application/xml", **steward}
        response = await api.post(_URL, params={"format": "jsonl"}, content=b"{}", headers=headers)
        assert response.status_code == 415
        assert response.headers["content-type"] == "application/problem+json"

    async def test_too_large_is_413(
        self, small_api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        body = _lines(*(dataset(id=f"r{i}") for i in range(10)))
        assert len(body) > 2048
        response = await small_api.post(
            _URL, params={"format": "jsonl"}, content=body, headers={**_JSONL, **steward}
        )
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"

    async def test_too_large_without_length_is_413(
        self, small_api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        async def chunks() -> AsyncIterator[bytes]:
            for i in range(10):
                yield _lines(dataset(id=f"s{i}"))

        response = await small_api.post(
            _URL, params={"format": "jsonl"}, content=chunks(), headers={**_JSONL, **steward}
        )
        assert response.status_code == 413


class TestNesting:
    """Input nested deeper than ``import_max_depth`` is a rejected record, never a 500 or a
    process that grows without bound; the service answers afterwards."""

    async def test_deep_array_and_object(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        headers = {"Content-Type": "application/json", **steward}
        for fmt, body, position in [
            ("bioschemas", DEEP_ARRAY, "body[0]"),
            ("biotools", DEEP_ARRAY, "body[0]"),
            ("bioschemas", DEEP_OBJECT, "body"),
            ("biotools", DEEP_OBJECT, "body"),
        ]:
            response = await api.post(_URL, params={"format": fmt}, content=body, headers=headers)
            assert response.status_code == 200, (fmt, response.text[:300])
            (rejected,) = response.json()["rejected"]
            assert rejected["position"] == position
            assert rejected["errors"][0]["rule"] == "max_depth"
        assert (await api.get("/api/v1/records", params={"page_size": 1})).status_code == 200

    async def test_only_the_deep_line_is_rejected(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        body = (
            _lines(dataset(id="shallow-1")) + DEEP_OBJECT + b"\n" + _lines(dataset(id="shallow-2"))
        )
        response = await api.post(
            _URL, params={"format": "jsonl"}, content=body, headers={**_JSONL, **steward}
        )
        assert response.status_code == 200, response.text[:300]
        report = response.json()
        assert report["imported"] == 2
        assert [r["position"] for r in report["rejected"]] == ["body:2"]
        assert report["rejected"][0]["errors"][0]["rule"] == "max_depth"

"""Text and integers the metadata API refuses at its edge (issue #10).

On PostgreSQL a NUL byte reached the database and gave a 500, and an import batch holding one
such record was rejected whole; a version number past the column's range gave a 500 on both
backends. Each case here runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json

import httpx
import pytest

from tests.metadata.conftest import dataset

_JSONL = {"Content-Type": "application/x-ndjson"}


def _problem(response: httpx.Response, status: int = 422) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    return body


def _errors(response: httpx.Response) -> set[tuple[str, str, str]]:
    body = _problem(response)
    errors = body["errors"]
    assert isinstance(errors, list)
    return {(e["pointer"], e["rule"], e.get("in", "body")) for e in errors}


class TestTextInParameters:
    @pytest.mark.parametrize("raw", ["%00", "a%00b", "%01", "%1F"])
    async def test_record_id(self, api: httpx.AsyncClient, raw: str) -> None:
        response = await api.get(f"/api/v1/records/mouse{raw}atlas")
        assert _errors(response) == {("/record_id", "text", "path")}

    async def test_record_id_of_a_write(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        response = await api.put("/api/v1/records/x%00", json=dataset(id="x"), headers=steward)
        assert ("/record_id", "text", "path") in _errors(response)

    @pytest.mark.parametrize("name", ["keyword", "q", "topic", "organism", "license", "cursor"])
    async def test_search_filters(self, api: httpx.AsyncClient, name: str) -> None:
        response = await api.get("/api/v1/search", params={name: "brain\x00"})
        assert _errors(response) == {(f"/{name}", "text", "query")}

    async def test_undeclared_parameter_name(self, api: httpx.AsyncClient) -> None:
        response = await api.get("/api/v1/records?x%00y=1")
        assert _errors(response) == {("/x\\u0000y", "text", "query")}

    async def test_valid_unicode_passes(self, api: httpx.AsyncClient) -> None:
        for value in ("Mausgehirn", "脳", "\U0001f9e0", "tab\there", "e\u0301"):
            response = await api.get("/api/v1/search", params={"keyword": value})
            assert response.status_code == 200, (value, response.text)


class TestTextInBodies:
    @pytest.mark.parametrize(
        ("override", "pointer"),
        [
            ({"title": {"en": "Mouse\x00 atlas"}}, "/title/en"),
            ({"keywords": ["ok", "bad\x00"]}, "/keywords/1"),
            ({"description": {"en": "lone \ud800 surrogate"}}, "/description/en"),
            ({"title": {"en": "bell \x07"}}, "/title/en"),
            ({"title": {"e\x00n": "x"}}, "/title/e\\u0000n"),
            ({"id": "mouse\x00"}, "/id"),
        ],
    )
    async def test_record_create(
        self,
        api: httpx.AsyncClient,
        steward: dict[str, str],
        override: dict[str, object],
        pointer: str,
    ) -> None:
        # json.dumps writes the lone surrogate as the escape \ud800, as a hostile client would
        content = json.dumps(dataset(**override))
        headers = {**steward, "Content-Type": "application/json"}
        response = await api.post("/api/v1/records", content=content, headers=headers)
        assert _errors(response) == {(pointer, "text", "body")}
        assert (await api.get("/api/v1/records/mouse-atlas")).status_code == 404


class TestImportBatch:
    async def test_bad_text_rejects_the_record_not_the_batch(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        records = [
            dataset(id="one"),
            dataset(id="two", title={"en": "nul\x00 here"}),
            dataset(id="thr\x00ee"),
            dataset(id="four", keywords=["\ud800"]),
            dataset(id="five"),
        ]
        body = b"".join(json.dumps(r).encode() + b"\n" for r in records)
        response = await api.post(
            "/api/v1/import",
            params={"format": "jsonl"},
            content=body,
            headers={**_JSONL, **steward},
        )
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["imported"] == 2
        rejected = {r["position"]: r for r in report["rejected"]}
        assert set(rejected) == {"body:2", "body:3", "body:4"}
        assert rejected["body:2"]["errors"][0]["pointer"] == "/title/en"
        assert rejected["body:3"]["errors"][0]["pointer"] == "/id"
        assert rejected["body:3"]["identifier"] in (None, "thr\\u0000ee")
        assert rejected["body:4"]["errors"][0]["pointer"] == "/keywords/0"
        assert {e["rule"] for r in rejected.values() for e in r["errors"]} == {"text"}
        for kept in ("one", "five"):
            assert (await api.get(f"/api/v1/records/{kept}")).status_code == 200


class TestOAIArguments:
    @pytest.mark.parametrize(
        ("query", "code"),
        [
            ("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:x:de:a%00b", "badArgument"),
            ("verb=ListRecords&metadataPrefix=oai_dc&set=%00", "badArgument"),
            ("verb=Identify%00", "badVerb"),
        ],
    )
    async def test_answered_in_oai_pmh(self, api: httpx.AsyncClient, query: str, code: str) -> None:
        for response in (
            await api.get(f"/oai?{query}"),
            await api.post(
                "/oai",
                content=query,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            ),
        ):
            assert response.status_code == 200, response.text
            assert f'code="{code}"' in response.text
            assert "\x00" not in response.text


class TestIntegerBounds:
    @pytest.mark.parametrize(
        ("version", "rule"),
        [
            ("2147483648", "maximum"),
            ("9223372036854775808", "maximum"),
            ("99999999999999999999999", "maximum"),
            ("0", "minimum"),
            ("-1", "minimum"),
        ],
    )
    async def test_version_out_of_range(
        self, api: httpx.AsyncClient, version: str, rule: str
    ) -> None:
        response = await api.get(f"/api/v1/records/mouse-atlas/versions/{version}")
        assert _errors(response) == {("/version", rule, "path")}

    async def test_restore_out_of_range(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        response = await api.post(
            "/api/v1/records/mouse-atlas/versions/2147483648/restore", headers=steward
        )
        assert ("/version", "maximum", "path") in _errors(response)

    async def test_largest_version_is_a_404(self, api: httpx.AsyncClient) -> None:
        response = await api.get("/api/v1/records/mouse-atlas/versions/2147483647")
        assert response.status_code == 404

    @pytest.mark.parametrize(
        ("path", "name"),
        [
            ("/api/v1/records", "limit"),
            ("/api/v1/search", "limit"),
            ("/sitemap.xml", "page"),
        ],
    )
    async def test_page_parameters(self, api: httpx.AsyncClient, path: str, name: str) -> None:
        response = await api.get(path, params={name: "9223372036854775808"})
        assert (f"/{name}", "maximum", "query") in _errors(response)


_BAD_URL = 'https://example.org/"<>{}|^`\\'


def _software(**overrides: object) -> dict[str, object]:
    return dataset(**{"type": "Software", "dataset": None, **overrides})


class TestUrlsAtInput:
    """Every URL of the record model is an RFC 3986/3987 IRI, or the record is a 422 naming
    the field: one such URL once broke the Node's whole DCAT catalogue (issue #10)."""

    @pytest.mark.parametrize(
        ("body", "pointer"),
        [
            (dataset(landing_page=_BAD_URL), "/landing_page"),
            (dataset(publisher={"name": "P", "url": _BAD_URL}), "/publisher/url"),
            (dataset(publisher={"name": "P", "ror": _BAD_URL}), "/publisher/ror"),
            (dataset(publications=[{"url": _BAD_URL}]), "/publications/0/url"),
            (dataset(funding=[{"funder": "F", "funder_id": _BAD_URL}]), "/funding/0/funder_id"),
            (dataset(identifiers=[{"scheme": "url", "value": _BAD_URL}]), "/identifiers/0/value"),
            (
                dataset(dataset={"distributions": [{"download_url": _BAD_URL}]}),
                "/dataset/distributions/0/download_url",
            ),
            (
                dataset(dataset={"distributions": [{"access_url": _BAD_URL}]}),
                "/dataset/distributions/0/access_url",
            ),
            (_software(software={"code_repository": _BAD_URL}), "/software/code_repository"),
            (
                dataset(
                    access={
                        "level": "controlled",
                        "dac": {"name": "DAC", "url": _BAD_URL},
                        "data_use": ["DUO:0000042"],
                    }
                ),
                "/access/dac/url",
            ),
        ],
    )
    async def test_refused_naming_the_field(
        self,
        api: httpx.AsyncClient,
        steward: dict[str, str],
        body: dict[str, object],
        pointer: str,
    ) -> None:
        response = await api.post("/api/v1/records", json=body, headers=steward)
        assert (pointer, "url", "body") in _errors(response)
        assert (await api.get("/dcat/catalog")).status_code == 200

    async def test_dois_and_emails_with_iri_unsafe_characters_are_published(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        # a DOI or an e-mail address may hold characters an IRI may not: they are encoded
        body = dataset(
            identifiers=[{"scheme": "doi", "value": '10.1002/(SICI)13:4<350::AID>3.0.CO;2-"X#'}],
            publications=[{"doi": "10.1000/{a|b}^`"}],
            access={
                "level": "controlled",
                "dac": {"name": "DAC", "email": "da{c}|x@example.org"},
                "data_use": ["DUO:0000042"],
            },
        )
        response = await api.post("/api/v1/records", json=body, headers=steward)
        assert response.status_code == 201, response.text
        catalog = await api.get("/dcat/catalog", params={"format": "ttl"})
        assert catalog.status_code == 200, catalog.text
        assert "https://doi.org/10.1000/%7Ba%7Cb%7D%5E%60" in catalog.text
        assert "mailto:da%7Bc%7D%7Cx@example.org" in catalog.text
        for fmt in ("ttl", "jsonld", "rdf"):
            graph = await api.get("/dcat/datasets/mouse-atlas", params={"format": fmt})
            assert graph.status_code == 200, graph.text


class TestBodyIntegers:
    @pytest.mark.parametrize(
        ("override", "pointer"),
        [
            (
                {
                    "dataset": {
                        "distributions": [{"download_url": "https://x.org/a", "byte_size": 2**63}]
                    }
                },
                "/dataset/distributions/0/byte_size",
            ),
            (
                {
                    "type": "CourseInstance",
                    "dataset": None,
                    "course": {
                        "start_date": "2024-01-01",
                        "end_date": "2024-01-02",
                        "online": True,
                        "capacity": 2**31,
                    },
                },
                "/course/capacity",
            ),
        ],
    )
    async def test_out_of_range(
        self,
        api: httpx.AsyncClient,
        steward: dict[str, str],
        override: dict[str, object],
        pointer: str,
    ) -> None:
        response = await api.post("/api/v1/records", json=dataset(**override), headers=steward)
        assert (pointer, "maximum", "body") in _errors(response)

    async def test_largest_byte_size_is_published(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        body = dataset(
            dataset={"distributions": [{"download_url": "https://x.org/a", "byte_size": 2**63 - 1}]}
        )
        assert (await api.post("/api/v1/records", json=body, headers=steward)).status_code == 201
        graph = await api.get("/dcat/datasets/mouse-atlas", params={"format": "ttl"})
        assert graph.status_code == 200
        assert str(2**63 - 1) in graph.text

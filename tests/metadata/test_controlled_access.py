"""Who may see what of a controlled record, channel by channel (docs/metadata.md, "Who may see
what"), and whose history a reader sees.

A controlled dataset's metadata, data access committee and DUO conditions are for everyone; its
distributions' download and access URLs and checksums are for controlled readers
(``controlled:read``) and the Node's stewards. Anonymous callers, a token without roles and
another Node's steward never see them in any channel; the channels that take a token (the
records API and its negotiated formats) show them to a controlled reader and to the steward;
the harvesting and crawling channels are anonymous and never show them.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from converge_common.testing.plugin import Tokens, bearer

from tests.metadata.conftest import dataset

SECRET_DOWNLOAD = "https://secure.example.org/controlled/cohort-2024.vcf.gz"
SECRET_ACCESS = "https://secure.example.org/controlled/browse/cohort-2024"
SECRET_CHECKSUM = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
SECRETS = (SECRET_DOWNLOAD, SECRET_ACCESS, SECRET_CHECKSUM, "secure.example.org")
DAC_URL = "https://dac.example.org/cohort"
RECORD_ID = "cohort-2024"
OAI_ID = f"oai:converge.de.elixir-europe.org:de:{RECORD_ID}"
RECORD_MEDIA = (
    "application/json",
    "application/ld+json",
    "application/vnd.datacite.datacite+xml",
    "text/turtle",
    "application/rdf+xml",
)
# the serialisations that carry a distribution's URL at all (DataCite has no field for it)
MEDIA_WITH_URLS = ("application/json", "application/ld+json", "text/turtle", "application/rdf+xml")


def controlled(**overrides: Any) -> dict[str, Any]:
    body = dataset(
        id=RECORD_ID,
        title={"en": "Cohort 2024 whole genomes"},
        description={"en": "Whole genomes of a national cohort, under controlled access."},
        access={
            "level": "controlled",
            "dac": {"name": "Cohort DAC", "email": "dac@example.org", "url": DAC_URL},
            "data_use": ["DUO:0000042"],
        },
        dataset={
            "organisms": ["9606"],
            "distributions": [
                {
                    "title": "Variant calls",
                    "download_url": SECRET_DOWNLOAD,
                    "access_url": SECRET_ACCESS,
                    "media_type": "application/gzip",
                    "byte_size": 2048,
                    "checksum": {"algorithm": "sha256", "value": SECRET_CHECKSUM},
                }
            ],
        },
    )
    body.update(overrides)
    return body


def _hidden(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret} leaked"


@pytest.fixture
async def stored(api: httpx.AsyncClient, steward: dict[str, str]) -> None:
    created = await api.post("/api/v1/records", json=controlled(), headers=steward)
    assert created.status_code == 201, created.text
    # the steward who wrote it reads its way to the data in the answer
    assert created.json()["dataset"]["distributions"][0]["download_url"] == SECRET_DOWNLOAD


CALLERS_WITHOUT = ["anonymous", "no roles", "other Node's steward"]
CALLERS_WITH = ["controlled reader", "steward"]


def _headers(tokens: Tokens, caller: str) -> dict[str, str]:
    token = {
        "anonymous": None,
        "no roles": tokens.nobody(),
        "other Node's steward": tokens.node("fi"),
        "controlled reader": tokens.client("reader"),
        "steward": tokens.node("de"),
    }[caller]
    return bearer(token) if token else {}


@pytest.mark.usefixtures("stored")
class TestRecordsApi:
    @pytest.mark.parametrize("caller", CALLERS_WITHOUT)
    async def test_without_clearance_every_representation_hides_the_way_to_the_data(
        self, api: httpx.AsyncClient, tokens: Tokens, caller: str
    ) -> None:
        for media in RECORD_MEDIA:
            headers = {**_headers(tokens, caller), "Accept": media}
            response = await api.get(f"/api/v1/records/{RECORD_ID}", headers=headers)
            assert response.status_code == 200, (media, response.text)
            assert response.headers["content-type"].startswith(media)
            assert "Authorization" in response.headers["vary"]
            _hidden(response.text)
            # what everyone sees: the metadata, the committee and how to reach it, the terms
            assert "Cohort DAC" in response.text or media != "application/json"
        body = await api.get(f"/api/v1/records/{RECORD_ID}", headers=_headers(tokens, caller))
        record = body.json()
        assert record["access"]["dac"]["url"] == DAC_URL
        assert record["access"]["data_use"][0]["uri"].endswith("DUO_0000042")
        assert record["dataset"]["distributions"] == [
            {
                "title": "Variant calls",
                "access_url": DAC_URL,
                "media_type": "application/gzip",
                "byte_size": 2048,
            }
        ]

    @pytest.mark.parametrize("caller", CALLERS_WITH)
    async def test_with_clearance_every_representation_shows_it(
        self, api: httpx.AsyncClient, tokens: Tokens, caller: str
    ) -> None:
        for media in MEDIA_WITH_URLS:
            headers = {**_headers(tokens, caller), "Accept": media}
            response = await api.get(f"/api/v1/records/{RECORD_ID}", headers=headers)
            assert response.status_code == 200, (media, response.text)
            assert SECRET_DOWNLOAD in response.text, media
        record = (
            await api.get(f"/api/v1/records/{RECORD_ID}", headers=_headers(tokens, caller))
        ).json()
        distribution = record["dataset"]["distributions"][0]
        assert distribution["download_url"] == SECRET_DOWNLOAD
        assert distribution["access_url"] == SECRET_ACCESS
        assert distribution["checksum"]["value"] == SECRET_CHECKSUM

    @pytest.mark.parametrize("caller", [*CALLERS_WITHOUT, *CALLERS_WITH])
    async def test_list_and_versions(
        self, api: httpx.AsyncClient, tokens: Tokens, caller: str
    ) -> None:
        headers = _headers(tokens, caller)
        listed = await api.get("/api/v1/records", headers=headers)
        version = await api.get(f"/api/v1/records/{RECORD_ID}/versions/1", headers=headers)
        versions = await api.get(f"/api/v1/records/{RECORD_ID}/versions", headers=headers)
        assert listed.status_code == version.status_code == versions.status_code == 200
        assert [v["version"] for v in versions.json()["items"]] == [1]
        if caller in CALLERS_WITH:
            assert SECRET_DOWNLOAD in listed.text
            assert version.json()["record"]["dataset"]["distributions"][0]["checksum"]
        else:
            _hidden(listed.text)
            _hidden(version.text)
            assert listed.json()["items"][0]["access"]["level"] == "controlled"
            assert version.json()["record"]["access"]["dac"]["name"] == "Cohort DAC"

    @pytest.mark.parametrize("caller", [*CALLERS_WITHOUT, *CALLERS_WITH])
    async def test_search_hits_and_snippets(
        self, api: httpx.AsyncClient, tokens: Tokens, caller: str
    ) -> None:
        for params in ({"q": "cohort genomes"}, {"access": "controlled"}, {"q": "secure"}):
            response = await api.get(
                "/api/v1/search", params=params, headers=_headers(tokens, caller)
            )
            assert response.status_code == 200
            _hidden(response.text)
        found = await api.get("/api/v1/search", params={"q": "cohort"})
        assert [hit["id"] for hit in found.json()["items"]] == [RECORD_ID]
        # words of a withheld URL find nothing: they are not searchable
        assert (await api.get("/api/v1/search", params={"q": "secure"})).json()["total"] == 0


@pytest.mark.usefixtures("stored")
class TestAnonymousChannels:
    """Harvesting and crawling surfaces are anonymous: a token changes nothing."""

    @pytest.mark.parametrize("caller", ["anonymous", "controlled reader", "steward"])
    async def test_landing_page_and_its_json_ld(
        self, api: httpx.AsyncClient, tokens: Tokens, caller: str
    ) -> None:
        page = await api.get(f"/records/{RECORD_ID}", headers=_headers(tokens, caller))
        assert page.status_code == 200
        _hidden(page.text)
        assert "Cohort DAC" in page.text
        assert DAC_URL in page.text  # how to request access
        assert "application/ld+json" in page.text

    @pytest.mark.parametrize("fmt", ["ttl", "jsonld", "rdf"])
    async def test_dcat_catalog_and_dataset(
        self, api: httpx.AsyncClient, tokens: Tokens, fmt: str
    ) -> None:
        for path in ("/dcat/catalog", f"/dcat/datasets/{RECORD_ID}", "/fdp"):
            for caller in ("anonymous", "steward"):
                response = await api.get(
                    path, params={"format": fmt}, headers=_headers(tokens, caller)
                )
                assert response.status_code == 200, (path, response.text)
                _hidden(response.text)
        dataset_graph = await api.get(f"/dcat/datasets/{RECORD_ID}", params={"format": fmt})
        assert DAC_URL in dataset_graph.text

    @pytest.mark.parametrize("prefix", ["oai_dc", "oai_datacite", "dcat_ap"])
    async def test_oai_pmh_get_record_and_list_records(
        self, api: httpx.AsyncClient, tokens: Tokens, prefix: str
    ) -> None:
        for caller in ("anonymous", "steward"):
            headers = _headers(tokens, caller)
            got = await api.get(
                "/oai",
                params={"verb": "GetRecord", "identifier": OAI_ID, "metadataPrefix": prefix},
                headers=headers,
            )
            listed = await api.get(
                "/oai", params={"verb": "ListRecords", "metadataPrefix": prefix}, headers=headers
            )
            posted = await api.post(
                "/oai",
                data={"verb": "ListRecords", "metadataPrefix": prefix, "set": "access:controlled"},
                headers=headers,
            )
            for response in (got, listed, posted):
                assert response.status_code == 200
                assert RECORD_ID in response.text
                assert "<error" not in response.text
                _hidden(response.text)

    async def test_sitemap_fair_and_bioschemas(self, api: httpx.AsyncClient) -> None:
        for path in ("/sitemap.xml", f"/api/v1/records/{RECORD_ID}/fair", "/api/v1/fair/summary"):
            response = await api.get(path)
            assert response.status_code == 200, (path, response.text)
            _hidden(response.text)
        assert RECORD_ID in (await api.get("/sitemap.xml")).text


class TestHistory:
    """Earlier states that were never public are for the Node's stewards only (404 otherwise,
    as for a version that does not exist)."""

    async def test_draft_text_does_not_leak_after_publication(
        self, api: httpx.AsyncClient, tokens: Tokens, steward: dict[str, str]
    ) -> None:
        draft = dataset(
            id="history", status="draft", description={"en": "UNREVIEWED draft: patient P-17"}
        )
        created = await api.post("/api/v1/records", json=draft, headers=steward)
        assert created.status_code == 201
        published = dataset(id="history", description={"en": "A reviewed description."})
        del published["id"]
        updated = await api.put(
            "/api/v1/records/history",
            json=published,
            headers={**steward, "If-Match": created.headers["etag"]},
        )
        assert updated.status_code == 200, updated.text
        for caller in ("anonymous", "no roles", "controlled reader", "other Node's steward"):
            headers = _headers(tokens, caller)
            first = await api.get("/api/v1/records/history/versions/1", headers=headers)
            assert first.status_code == 404, (caller, first.text)
            assert "P-17" not in first.text
            assert first.headers["content-type"] == "application/problem+json"
            missing = await api.get("/api/v1/records/history/versions/9", headers=headers)
            assert missing.status_code == 404
            assert first.json()["title"] == missing.json()["title"]
            listed = await api.get("/api/v1/records/history/versions", headers=headers)
            assert [v["version"] for v in listed.json()["items"]] == [2]
            second = await api.get("/api/v1/records/history/versions/2", headers=headers)
            assert second.status_code == 200
            assert second.json()["record"]["description"]["en"] == "A reviewed description."
        first = await api.get("/api/v1/records/history/versions/1", headers=steward)
        assert first.status_code == 200
        assert "P-17" in first.json()["record"]["description"]["en"]
        listed = await api.get("/api/v1/records/history/versions", headers=steward)
        assert [v["version"] for v in listed.json()["items"]] == [2, 1]

    async def test_a_running_embargo_stays_out_of_history(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        embargoed = dataset(
            id="embargoed-first",
            description={"en": "Embargoed wording"},
            access={"level": "embargoed", "embargo_until": "2999-01-01"},
        )
        created = await api.post("/api/v1/records", json=embargoed, headers=steward)
        assert created.status_code == 201
        assert (await api.get("/api/v1/records/embargoed-first/versions")).status_code == 404
        opened = {**embargoed, "description": {"en": "Open wording"}, "access": {"level": "public"}}
        del opened["id"]
        updated = await api.put(
            "/api/v1/records/embargoed-first",
            json=opened,
            headers={**steward, "If-Match": created.headers["etag"]},
        )
        assert updated.status_code == 200
        assert (await api.get("/api/v1/records/embargoed-first/versions/1")).status_code == 404
        listed = await api.get("/api/v1/records/embargoed-first/versions")
        assert [v["version"] for v in listed.json()["items"]] == [2]

    async def test_a_deletion_of_a_public_record_stays_in_history(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        created = await api.post("/api/v1/records", json=dataset(id="gone"), headers=steward)
        deleted = await api.delete(
            "/api/v1/records/gone", headers={**steward, "If-Match": created.headers["etag"]}
        )
        assert deleted.status_code == 204
        listed = await api.get("/api/v1/records/gone/versions")
        assert [(v["version"], v["action"]) for v in listed.json()["items"]] == [
            (2, "delete"),
            (1, "create"),
        ]
        deletion = await api.get("/api/v1/records/gone/versions/2")
        assert deletion.status_code == 200
        assert deletion.json().get("record") is None

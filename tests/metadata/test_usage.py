"""Usage events: every read format and the counted download redirect record an event off the
request path; the feed serves them to the Node's impact service; no raw address is stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest_asyncio
from converge_common.testing.asgi import asgi_client
from converge_common.testing.plugin import Tokens, bearer
from converge_metadata.app import create_app
from converge_metadata.settings import MetadataSettings
from fastapi import FastAPI
from sqlalchemy import text

from tests.metadata.conftest import dataset

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"
CONTROLLED = {
    "level": "controlled",
    "dac": {"name": "DAC", "email": "dac@example.org"},
    "data_use": ["GRU"],
}


def _settings(settings: MetadataSettings, **overrides: Any) -> MetadataSettings:
    return settings.model_copy(update={"usage_feed_lag_s": 0.0, **overrides})


@pytest_asyncio.fixture(loop_scope="session")
async def usage_app(settings: MetadataSettings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(_settings(settings, usage_flush_interval_s=3600.0))
    async with asgi_client(app) as client:
        yield app, client


async def _events(client: httpx.AsyncClient, tokens: Tokens, **params: Any) -> dict[str, Any]:
    response = await client.get(
        "/api/v1/usage/events", params=params, headers=bearer(tokens.node("de"))
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


class TestRecording:
    async def test_every_format_and_the_download_are_events(
        self, usage_app: tuple[FastAPI, httpx.AsyncClient], tokens: Tokens, settings: Any
    ) -> None:
        app, api = usage_app
        steward = bearer(tokens.node("de"))
        assert (
            await api.post("/api/v1/records", json=dataset(), headers=steward)
        ).status_code == 201
        ua = {"User-Agent": FIREFOX}
        reads = [
            ("/api/v1/records/mouse-atlas", {}),
            ("/api/v1/records/mouse-atlas", {"Accept": "application/ld+json"}),
            ("/api/v1/records/mouse-atlas", {"Accept": "application/vnd.datacite.datacite+xml"}),
            ("/api/v1/records/mouse-atlas", {"Accept": "text/turtle"}),
            ("/records/mouse-atlas", {}),
            ("/dcat/datasets/mouse-atlas", {}),
        ]
        for path, headers in reads:
            response = await api.get(path, headers={**ua, **headers})
            assert response.status_code == 200, path
        oai_id = "oai:converge.de.elixir-europe.org:de:mouse-atlas"
        oai = await api.get(
            "/oai", params={"verb": "GetRecord", "identifier": oai_id, "metadataPrefix": "oai_dc"}
        )
        assert "<GetRecord>" in oai.text
        download = await api.get("/api/v1/records/mouse-atlas/distributions/0/download", headers=ua)
        assert download.status_code == 302
        assert download.headers["location"] == "https://example.org/atlas.h5ad"
        # not events: a missing record, a missing distribution, an OAI error
        assert (await api.get("/api/v1/records/nope")).status_code == 404
        missing = await api.get("/api/v1/records/mouse-atlas/distributions/5/download")
        assert missing.status_code == 404
        await api.get("/oai", params={"verb": "GetRecord", "identifier": "oai:x:de:nope"})

        await app.state.usage.flush()
        body = await _events(api, tokens)
        channels = [(e["kind"], e["channel"]) for e in body["items"]]
        assert channels == [
            ("investigation", "api"),
            ("investigation", "jsonld"),
            ("investigation", "datacite"),
            ("investigation", "rdf"),
            ("investigation", "landing"),
            ("investigation", "dcat"),
            ("investigation", "oai"),
            ("request", "download"),
        ]
        first = body["items"][0]
        assert first["record_id"] == "mouse-atlas"
        assert first["record_version"] == 1
        assert first["user_agent"] == FIREFOX
        assert len(first["client_hash"]) == 32
        assert body["items"][-1]["distribution"] == 0
        # the same client on the same day hashes the same
        assert len({e["client_hash"] for e in body["items"][:6]}) == 1
        assert body["records"]["mouse-atlas"] == {
            "type": "Dataset",
            "title": "Mouse brain atlas",
            "doi": "10.5281/zenodo.1234",
            "publisher": None,
            "publication_year": 2023,
            "version": 1,
        }
        assert body["cursor"] == str(body["items"][-1]["id"])
        assert body["next_cursor"] is None
        after = await _events(api, tokens, after=body["cursor"])
        assert after["items"] == []
        assert after["cursor"] == body["cursor"]
        paged = await _events(api, tokens, limit=3)
        assert len(paged["items"]) == 3
        assert paged["next_cursor"] == str(paged["items"][-1]["id"])

    async def test_no_raw_address_is_stored(
        self, usage_app: tuple[FastAPI, httpx.AsyncClient], tokens: Tokens
    ) -> None:
        app, api = usage_app
        steward = bearer(tokens.node("de"))
        await api.post("/api/v1/records", json=dataset(), headers=steward)
        await api.get("/records/mouse-atlas")
        await app.state.usage.flush()
        async with app.state.db.engine.connect() as conn:
            rows = (await conn.execute(text("SELECT * FROM usage_events"))).all()
            salts = (await conn.execute(text("SELECT day FROM usage_salts"))).all()
        assert len(rows) == 1
        flat = " ".join(str(v) for v in rows[0])
        assert "127.0.0.1" not in flat
        assert len(salts) == 1

    async def test_signed_in_readers_are_hashed_users(
        self, usage_app: tuple[FastAPI, httpx.AsyncClient], tokens: Tokens
    ) -> None:
        app, api = usage_app
        steward = bearer(tokens.node("de"))
        await api.post("/api/v1/records", json=dataset(), headers=steward)
        await api.get("/api/v1/records/mouse-atlas", headers=bearer(tokens.user("bob")))
        await app.state.usage.flush()
        event = (await _events(api, tokens))["items"][0]
        assert event["user_hash"] is not None
        assert "bob" not in event["user_hash"]


class TestDownloadAccess:
    async def test_controlled_data_need_the_reader_role(
        self, usage_app: tuple[FastAPI, httpx.AsyncClient], tokens: Tokens
    ) -> None:
        app, api = usage_app
        steward = bearer(tokens.node("de"))
        body = dataset(id="cohort", access=CONTROLLED)
        assert (await api.post("/api/v1/records", json=body, headers=steward)).status_code == 201
        path = "/api/v1/records/cohort/distributions/0/download"
        # the metadata stays public
        assert (await api.get("/api/v1/records/cohort")).status_code == 200
        anonymous = await api.get(path)
        assert anonymous.status_code == 401
        assert anonymous.headers["content-type"] == "application/problem+json"
        assert (await api.get(path, headers=bearer(tokens.nobody()))).status_code == 403
        reader = await api.get(path, headers=bearer(tokens.client("reader")))
        assert reader.status_code == 302
        assert (await api.get(path, headers=steward)).status_code == 302
        await app.state.usage.flush()
        requests = [e for e in (await _events(api, tokens))["items"] if e["kind"] == "request"]
        assert len(requests) == 2  # refused follow-throughs are not requests


class TestFeedRoles:
    async def test_anonymous_is_401(self, usage_app: tuple[FastAPI, httpx.AsyncClient]) -> None:
        _, api = usage_app
        assert (await api.get("/api/v1/usage/events")).status_code == 401

    async def test_another_node_is_403(
        self, usage_app: tuple[FastAPI, httpx.AsyncClient], tokens: Tokens
    ) -> None:
        _, api = usage_app
        response = await api.get("/api/v1/usage/events", headers=bearer(tokens.node("fi")))
        assert response.status_code == 403

    async def test_a_person_who_is_only_a_steward_is_403(
        self, usage_app: tuple[FastAPI, httpx.AsyncClient], tokens: Tokens
    ) -> None:
        _, api = usage_app
        response = await api.get("/api/v1/usage/events", headers=bearer(tokens.user("alice")))
        assert response.status_code == 403

    async def test_a_bad_cursor_is_400(
        self, usage_app: tuple[FastAPI, httpx.AsyncClient], tokens: Tokens
    ) -> None:
        _, api = usage_app
        response = await api.get(
            "/api/v1/usage/events", params={"after": "x"}, headers=bearer(tokens.node("de"))
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["pointer"] == "/after"


class TestBackPressure:
    async def test_a_full_queue_drops_and_counts(
        self, settings: MetadataSettings, tokens: Tokens, tmp_path: Path
    ) -> None:
        app = create_app(_settings(settings, usage_queue_max=2, usage_flush_interval_s=3600.0))
        async with asgi_client(app) as api:
            steward = bearer(tokens.node("de"))
            await api.post("/api/v1/records", json=dataset(), headers=steward)
            for _ in range(5):
                assert (await api.get("/records/mouse-atlas")).status_code == 200
            assert app.state.usage.pending == 2
            metrics = (await api.get("/metrics")).text
            assert 'converge_metadata_usage_events_total{outcome="dropped"} 3.0' in metrics
            await app.state.usage.flush()
            assert len((await _events(api, tokens))["items"]) == 2

    async def test_recording_off_records_nothing(
        self, settings: MetadataSettings, tokens: Tokens
    ) -> None:
        app = create_app(_settings(settings, usage_recording=False))
        async with asgi_client(app) as api:
            await api.post("/api/v1/records", json=dataset(), headers=bearer(tokens.node("de")))
            assert (await api.get("/records/mouse-atlas")).status_code == 200
            assert app.state.usage.pending == 0
            await app.state.usage.flush()
            assert (await _events(api, tokens))["items"] == []

"""With private targets not allowed (the production default), loopback and private are refused."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from converge_common.testing.asgi import asgi_client
from converge_common.testing.plugin import Tokens, bearer
from converge_registry.app import create_app
from converge_registry.settings import RegistrySettings
from fastapi import FastAPI

from tests.registry.servers import LiveServer


@pytest_asyncio.fixture(loop_scope="session")
async def strict(
    registry_settings: RegistrySettings,
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(registry_settings.model_copy(update={"allow_private_targets": False}))
    async with asgi_client(app) as client:
        yield app, client


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/",
        "http://localhost:8080/",
        "http://10.1.2.3/",
        "http://192.168.0.10/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://169.254.10.10/",
    ],
)
async def test_private_registration_refused(
    strict: tuple[FastAPI, httpx.AsyncClient], tokens: Tokens, url: str
) -> None:
    _app, api = strict
    admitted = await api.post(
        "/api/v1/nodes",
        json={"id": "de", "name": "DE", "country": "DE", "client_ids": ["node-de"]},
        headers=bearer(tokens.admin()),
    )
    assert admitted.status_code == 201
    response = await api.put(
        "/api/v1/nodes/de/services/metadata",
        json={"base_url": url, "api_version": "1"},
        headers=bearer(tokens.node("de")),
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["rule"] == "allowed_target"


async def test_probe_checks_at_call_time(
    strict: tuple[FastAPI, httpx.AsyncClient], live: LiveServer
) -> None:
    # registered while allowed (or resolving elsewhere), called when it is not: refused
    app, _api = strict
    outcome = await app.state.prober.probe(live.url)
    assert outcome.result == "failed"
    assert outcome.error is not None and "refused target" in outcome.error
    assert live.app.received == []

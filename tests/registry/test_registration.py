"""A real Node service (metadata, impact) joins through converge_common.registration."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from converge_common.testing.asgi import asgi_client
from converge_common.testing.plugin import AUDIENCE
from converge_impact.app import create_app as create_impact
from converge_impact.settings import ImpactSettings
from converge_metadata.app import create_app as create_metadata
from converge_metadata.settings import MetadataSettings
from converge_registry.app import create_app as create_registry
from converge_registry.settings import RegistrySettings

from tests.registry.conftest import AdmitNode
from tests.registry.servers import LiveServer, free_port


@pytest_asyncio.fixture(loop_scope="session")
async def registry_server(registry_settings: RegistrySettings) -> AsyncIterator[LiveServer]:
    server = LiveServer(create_registry(registry_settings))
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def _node_settings(
    cls: type[Any], tmp_path: Path, oidc: dict[str, Any], registry_url: str, **extra: Any
) -> Any:
    return cls(
        data_dir=tmp_path / cls.__name__,
        log_json=False,
        node_id="de",
        registry_url=registry_url,
        client_id="node-de",
        client_secret="node-de-secret",
        registry_audience=AUDIENCE,
        public_url="http://127.0.0.1:9/de",
        **{**oidc, "oidc_audience": "urn:converge:node-de"},
        **extra,
    )


async def _state(api: httpx.AsyncClient, kind: str, want: str) -> str:
    state = ""
    for _ in range(200):
        response = await api.get(f"/api/v1/nodes/de/services/{kind}")
        state = response.json().get("state", "") if response.status_code == 200 else ""
        if state == want:
            break
        await asyncio.sleep(0.05)
    return state


@pytest.mark.parametrize(
    ("kind", "settings_cls", "factory"),
    [("metadata", MetadataSettings, create_metadata), ("impact", ImpactSettings, create_impact)],
)
async def test_service_registers_at_start_and_leaves_at_shutdown(
    registry_server: LiveServer,
    api: httpx.AsyncClient,
    admit: AdmitNode,
    oidc_settings: dict[str, Any],
    tmp_path: Path,
    kind: str,
    settings_cls: type[Any],
    factory: Any,
) -> None:
    await admit("de")
    settings = _node_settings(settings_cls, tmp_path, oidc_settings, registry_server.url)
    app = factory(settings)
    async with asgi_client(app) as node_service:
        assert await _state(api, kind, "active") == "active"
        service = (await api.get(f"/api/v1/nodes/de/services/{kind}")).json()
        assert service["base_url"] == "http://127.0.0.1:9/de"
        assert (await node_service.get("/livez")).status_code == 200
    assert await _state(api, kind, "retired") == "retired"


async def test_registry_down_does_not_stop_the_service(
    oidc_settings: dict[str, Any], tmp_path: Path
) -> None:
    down = f"http://127.0.0.1:{free_port()}"
    settings = _node_settings(MetadataSettings, tmp_path, oidc_settings, down)
    app = create_metadata(settings)
    async with asgi_client(app) as node_service:
        assert (await node_service.get("/livez")).status_code == 200
        registration = app.state.registration
        assert registration is not None
        assert await registration._beat() is False
        assert registration.registered is False
    # shutdown with the registry down finished (no exception escaped the lifespan)


async def test_other_node_credentials_cannot_register_as_de(
    registry_server: LiveServer,
    api: httpx.AsyncClient,
    admit: AdmitNode,
    oidc_settings: dict[str, Any],
    tmp_path: Path,
) -> None:
    await admit("de")
    settings = _node_settings(MetadataSettings, tmp_path, oidc_settings, registry_server.url)
    settings = settings.model_copy(update={"client_id": "node-fi"})
    settings.client_secret = type(settings.client_secret)("node-fi-secret")
    app = create_metadata(settings)
    async with asgi_client(app):
        assert await app.state.registration.register() is False
    assert (await api.get("/api/v1/nodes/de/services/metadata")).status_code == 404


async def test_not_configured_means_no_registration(tmp_path: Path) -> None:
    app = create_metadata(MetadataSettings(data_dir=tmp_path, log_json=False))
    async with asgi_client(app):
        assert app.state.registration is None

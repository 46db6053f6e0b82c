from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import pytest_asyncio
from converge_common.testing.asgi import asgi_client
from converge_common.testing.plugin import Tokens, bearer, service_database
from converge_registry.app import MIGRATIONS, create_app
from converge_registry.models import Base
from converge_registry.settings import RegistrySettings
from fastapi import FastAPI

from tests.registry.servers import LiveServer

registry_db = service_database("registry", MIGRATIONS, Base.metadata)


@pytest.fixture
def registry_settings(
    registry_db: str, oidc_settings: dict[str, Any], tmp_path: Any
) -> RegistrySettings:
    # background loops off: tests drive the prober and the webhook sender themselves
    return RegistrySettings(
        database_url=registry_db,
        data_dir=tmp_path,
        auto_migrate=False,
        log_json=False,
        probe_enabled=False,
        webhooks_enabled=False,
        allow_private_targets=True,
        unreachable_after=2,
        **oidc_settings,
    )


@pytest_asyncio.fixture(loop_scope="session")
async def registry_app(registry_settings: RegistrySettings) -> AsyncIterator[FastAPI]:
    app = create_app(registry_settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest_asyncio.fixture(loop_scope="session")
async def api(registry_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=registry_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


AdmitNode = Callable[..., Any]


@pytest_asyncio.fixture(loop_scope="session")
async def admit(api: httpx.AsyncClient, tokens: Tokens) -> AdmitNode:
    async def admit_node(node_id: str, **extra: Any) -> dict[str, Any]:
        body = {
            "id": node_id,
            "name": f"ELIXIR {node_id.upper()}",
            "country": node_id.upper()[:2],
            "client_ids": [f"node-{node_id}"],
            **extra,
        }
        response = await api.post("/api/v1/nodes", json=body, headers=bearer(tokens.admin()))
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    return admit_node


@pytest_asyncio.fixture(loop_scope="session")
async def live() -> AsyncIterator[LiveServer]:
    server = LiveServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


__all__ = ["asgi_client"]

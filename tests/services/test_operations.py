"""Every service answers the operations endpoints from the shared library, on both backends."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from converge_common.testing.asgi import asgi_client
from converge_common.testing.plugin import service_database
from converge_gateway.app import create_app as create_gateway
from converge_gateway.settings import GatewaySettings
from converge_impact.app import MIGRATIONS as IMPACT_MIGRATIONS
from converge_impact.app import create_app as create_impact
from converge_impact.models import Base as ImpactBase
from converge_impact.settings import ImpactSettings
from converge_metadata.app import MIGRATIONS as METADATA_MIGRATIONS
from converge_metadata.app import create_app as create_metadata
from converge_metadata.models import Base as MetadataBase
from converge_metadata.settings import MetadataSettings
from converge_registry.app import MIGRATIONS as REGISTRY_MIGRATIONS
from converge_registry.app import create_app as create_registry
from converge_registry.models import Base as RegistryBase
from converge_registry.settings import RegistrySettings
from fastapi import FastAPI

DOCS = Path(__file__).resolve().parents[2] / "docs" / "openapi"

registry_db = service_database("registry", REGISTRY_MIGRATIONS, RegistryBase.metadata)
metadata_db = service_database("metadata", METADATA_MIGRATIONS, MetadataBase.metadata)
impact_db = service_database("impact", IMPACT_MIGRATIONS, ImpactBase.metadata)


@pytest_asyncio.fixture(loop_scope="session")
async def services(
    registry_db: str, metadata_db: str, impact_db: str, tmp_path: Any
) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """All four services, each on its own migrated database (the gateway has none)."""
    apps: dict[str, FastAPI] = {
        "registry": create_registry(RegistrySettings(database_url=registry_db)),
        "metadata": create_metadata(MetadataSettings(database_url=metadata_db, node_id="de")),
        "impact": create_impact(ImpactSettings(database_url=impact_db, node_id="de")),
        "gateway": create_gateway(GatewaySettings(data_dir=tmp_path)),
    }
    async with AsyncExitStack() as stack:
        yield {
            name: await stack.enter_async_context(asgi_client(app)) for name, app in apps.items()
        }


class TestOperations:
    async def test_livez(self, services: dict[str, httpx.AsyncClient]) -> None:
        for client in services.values():
            assert (await client.get("/livez")).json() == {"status": "ok"}

    async def test_readyz_checks_the_database(self, services: dict[str, httpx.AsyncClient]) -> None:
        for name, client in services.items():
            response = await client.get("/readyz")
            assert response.status_code == 200, name
            checks = response.json()["checks"]
            assert ("database" in checks) == (name != "gateway"), name

    async def test_metrics(self, services: dict[str, httpx.AsyncClient]) -> None:
        for name, client in services.items():
            await client.get("/livez")
            text = (await client.get("/metrics")).text
            assert f'http_requests_total{{method="GET",route="/livez",service="{name}"' in text

    async def test_service_info(self, services: dict[str, httpx.AsyncClient]) -> None:
        for name, client in services.items():
            info = (await client.get("/service-info")).json()
            assert info["type"]["artifact"] == name
            assert info["organization"]["name"] == "ELIXIR"

    async def test_openapi_matches_the_committed_document(
        self, services: dict[str, httpx.AsyncClient]
    ) -> None:
        for name, client in services.items():
            document = (await client.get("/openapi.json")).json()
            assert document["openapi"].startswith("3.1")
            committed = json.loads((DOCS / f"{name}.json").read_text())
            assert document == committed, f"docs/openapi/{name}.json is stale: make openapi"


def _referenced(html: str) -> list[str]:
    """Every address a page loads (``src`` and ``href``) or starts from (``data-*-url``)."""
    return re.findall(r'(?:src|href|data-[a-z0-9-]+-url)="([^"]*)"', html)


class TestDocsPages:
    """Swagger UI and ReDoc come whole from the service: they render with no CDN in reach."""

    @pytest.mark.parametrize("service", ["registry", "metadata", "impact", "gateway"])
    @pytest.mark.parametrize("page", ["/docs", "/redoc", "/docs/oauth2-redirect"])
    async def test_pages_load_only_from_their_own_service(
        self, services: dict[str, httpx.AsyncClient], service: str, page: str
    ) -> None:
        client = services[service]
        response = await client.get(page)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        policy = response.headers["content-security-policy"]
        assert "script-src 'self';" in policy
        assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
        assert "<script>" not in response.text  # every script has a src
        addresses = _referenced(response.text)
        scripts = re.findall(r'<script src="([^"]*)"', response.text)
        assert scripts
        for address in addresses:
            assert address.startswith("/"), address
            assert not address.startswith("//"), address
        for address in addresses:
            if address.startswith("/docs-assets/"):
                asset = await client.get(address)
                assert asset.status_code == 200, address
                assert asset.content, address
        for script in scripts:
            asset = await client.get(script)
            assert "javascript" in asset.headers["content-type"], script

    @pytest.mark.parametrize(
        ("path", "content_type"),
        [
            ("/docs-assets/swagger-ui/swagger-ui-bundle.js", "javascript"),
            ("/docs-assets/swagger-ui/swagger-ui.css", "text/css"),
            ("/docs-assets/swagger-init.js", "javascript"),
            ("/docs-assets/redoc/redoc.standalone.js", "javascript"),
            ("/docs-assets/redoc-init.js", "javascript"),
            ("/docs-assets/swagger-ui/favicon-32x32.png", "image/png"),
        ],
    )
    async def test_assets_have_their_content_type(
        self, services: dict[str, httpx.AsyncClient], path: str, content_type: str
    ) -> None:
        for name, client in services.items():
            response = await client.get(path)
            assert response.status_code == 200, name
            assert content_type in response.headers["content-type"], name
            assert response.headers["x-content-type-options"] == "nosniff"

    async def test_swagger_ui_starts_from_the_openapi_document(
        self, services: dict[str, httpx.AsyncClient]
    ) -> None:
        page = (await services["metadata"].get("/docs")).text
        assert 'data-openapi-url="/openapi.json"' in page
        assert 'data-oauth2-redirect-url="/docs/oauth2-redirect"' in page
        assert (await services["metadata"].get("/docs-assets/nothing.js")).status_code == 404


class TestInputText:
    """Every service refuses text it cannot store or serialise, with one problem (issue #10)."""

    @pytest.mark.parametrize("service", ["registry", "metadata", "impact", "gateway"])
    async def test_query_text_refused(
        self, services: dict[str, httpx.AsyncClient], service: str
    ) -> None:
        response = await services[service].get("/livez", params={"probe": "\x00"})
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"] == [
            {
                "pointer": "/probe",
                "rule": "text",
                "detail": "the value contains NUL (U+0000) at position 0",
                "in": "query",
            }
        ]
        assert (await services[service].get("/livez", params={"probe": "ü"})).status_code == 200

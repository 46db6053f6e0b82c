"""Every service of one Node and the federation, live on loopback, on real databases.

The security suite probes the services as an outsider would: each is a uvicorn server on an
ephemeral 127.0.0.1 port (registry, the ``de`` Node's metadata and impact services, the
gateway), on SQLite or PostgreSQL (``db_backend``), with tokens from the real OpenID provider.
The Node joins through the registry's API and the metadata service is seeded through its own
API, so that routes taking ids reach real rows.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest_asyncio
from converge_common.testing.plugin import AUDIENCE, Tokens, bearer, service_database
from converge_common.testing.servers import LiveServer
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

NODE = "de"
OTHER_NODE = "fi"

registry_db = service_database("registry", REGISTRY_MIGRATIONS, RegistryBase.metadata)
metadata_db = service_database(
    "metadata", METADATA_MIGRATIONS, MetadataBase.metadata, extra_tables=("record_search",)
)
impact_db = service_database("impact", IMPACT_MIGRATIONS, ImpactBase.metadata)


@dataclass
class Stack:
    """The running services, by name, and what was seeded into them."""

    apps: dict[str, FastAPI]
    servers: dict[str, LiveServer]
    records: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    imports: list[str] = field(default_factory=list)

    def url(self, service: str) -> str:
        return self.servers[service].url


def seed_record(index: int, *, status: str = "published", access: str = "public") -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": f"probe-{index}",
        "type": "Dataset",
        "status": status,
        "title": {"en": f"Protein atlas {index}"},
        "description": {"en": "Expression of proteins across tissues, seeded for probing."},
        "keywords": ["protein"],
        "license": "cc-by-4.0",
        "creators": [{"name": "Josiah Carberry", "orcid": "0000-0002-1825-0097"}],
        "issued": "2023-05-01",
        "dataset": {
            "organisms": ["10090"],
            "distributions": [
                {"download_url": "https://example.org/atlas.h5ad", "media_type": "text/csv"}
            ],
        },
    }
    if access == "controlled":
        body["access"] = {
            "level": "controlled",
            "dac": {"name": "Probe DAC", "email": "dac@example.org"},
            "data_use": ["DUO:0000042"],
        }
    return body


async def _admit_node(registry: httpx.AsyncClient, tokens: Tokens, node: str) -> None:
    body = {
        "id": node,
        "name": f"ELIXIR {node.upper()}",
        "country": node.upper(),
        "client_ids": [f"node-{node}"],
    }
    response = await registry.post("/api/v1/nodes", json=body, headers=bearer(tokens.admin()))
    assert response.status_code == 201, response.text


async def _seed_people(registry: httpx.AsyncClient, tokens: Tokens) -> list[str]:
    body = {
        "name": "Alice Steward",
        "email": "alice@example.org",
        "role": "data steward",
        "expertise": ["topic_0121"],
        "languages": ["de", "en"],
    }
    url = f"/api/v1/nodes/{NODE}/people"
    response = await registry.post(url, json=body, headers=bearer(tokens.node(NODE)))
    assert response.status_code == 201, response.text
    return [str(response.json()["id"])]


async def _seed_records(metadata: httpx.AsyncClient, tokens: Tokens) -> list[str]:
    steward = bearer(tokens.node(NODE))
    bodies = [
        seed_record(0),
        seed_record(1),
        seed_record(2, access="controlled"),
        seed_record(3, status="draft"),
    ]
    ids = []
    for body in bodies:
        response = await metadata.post("/api/v1/records", json=body, headers=steward)
        assert response.status_code == 201, response.text
        ids.append(str(response.json()["id"]))
    # a second version, so that history routes have more than one entry
    etag = (await metadata.get(f"/api/v1/records/{ids[0]}", headers=steward)).headers["ETag"]
    update = {**seed_record(0), "title": {"en": "Protein atlas 0, revised"}}
    update.pop("id")
    response = await metadata.put(
        f"/api/v1/records/{ids[0]}", json=update, headers={**steward, "If-Match": etag}
    )
    assert response.status_code == 200, response.text
    return ids


async def _seed_import(metadata: httpx.AsyncClient, tokens: Tokens) -> list[str]:
    """One import job (its records are not needed: it only has to exist)."""
    response = await metadata.post(
        "/api/v1/imports",
        params={"format": "jsonl"},
        content=b"",
        headers={**bearer(tokens.node(NODE)), "Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 202, response.text
    return [str(response.json()["id"])]


async def _seed_values(impact: httpx.AsyncClient, tokens: Tokens) -> list[str]:
    """One validated reported value of Node ``de``'s impact service (public)."""
    admin = bearer(tokens.node(NODE))
    body = {"indicator": "publications.citing", "period": "2025", "value": 12}
    created = await impact.post("/api/v1/values", json=body, headers=admin)
    assert created.status_code == 201, created.text
    value_id = str(created.json()["id"])
    for step in ("submit", "validate"):
        etag = (await impact.get(f"/api/v1/values/{value_id}", headers=admin)).headers["ETag"]
        moved = await impact.post(
            f"/api/v1/values/{value_id}/{step}", headers={**admin, "If-Match": etag}
        )
        assert moved.status_code == 200, moved.text
    return [value_id]


async def _wait_active(registry: httpx.AsyncClient) -> None:
    """Until the Node's metadata service has registered and the prober has seen it answer."""
    for _ in range(400):
        response = await registry.get("/api/v1/services", params={"kind": "metadata"})
        if any(s["state"] == "active" for s in response.json()["items"]):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the Node's metadata service did not become active")


@pytest_asyncio.fixture(loop_scope="session")
async def stack(
    registry_db: str,
    metadata_db: str,
    impact_db: str,
    oidc_settings: dict[str, Any],
    workspace_settings: dict[str, Any],
    tokens: Tokens,
    tmp_path: Path,
) -> AsyncIterator[Stack]:
    async with AsyncExitStack() as exits:
        apps: dict[str, FastAPI] = {}
        servers: dict[str, LiveServer] = {}

        async def serve(name: str, server: LiveServer) -> LiveServer:
            await server.start()
            exits.push_async_callback(server.stop)
            servers[name] = server
            apps[name] = server.app
            return server

        registry = await serve(
            "registry",
            LiveServer(
                create_registry(
                    RegistrySettings(
                        database_url=registry_db,
                        data_dir=tmp_path / "registry",
                        auto_migrate=False,
                        log_json=False,
                        probe_enabled=True,
                        probe_tick_s=0.05,
                        probe_interval_s=600,
                        webhooks_enabled=False,
                        allow_private_targets=True,
                        # long-polls end before schemathesis's request timeout
                        changes_max_wait_s=1.0,
                        **oidc_settings,
                    )
                )
            ),
        )
        client = await exits.enter_async_context(
            httpx.AsyncClient(base_url=registry.url, timeout=20)
        )
        for node in (NODE, OTHER_NODE):
            await _admit_node(client, tokens, node)
        people = await _seed_people(client, tokens)

        node_settings: dict[str, Any] = {
            "node_id": NODE,
            "node_name": "ELIXIR DE",
            "auto_migrate": False,
            "log_json": False,
            "registry_url": registry.url,
            "registry_audience": AUDIENCE,
            "client_id": f"node-{NODE}",
            "client_secret": f"node-{NODE}-secret",
            **workspace_settings,
        }
        node_services: list[tuple[str, str, Any, Any]] = [
            ("metadata", metadata_db, create_metadata, MetadataSettings),
            ("impact", impact_db, create_impact, ImpactSettings),
        ]
        for name, database_url, factory, settings_class in node_services:
            server = LiveServer(None)
            server.app = factory(
                settings_class(
                    database_url=database_url,
                    data_dir=tmp_path / name,
                    public_url=server.url,
                    **node_settings,
                )
            )
            await serve(name, server)
        await _wait_active(client)
        async with httpx.AsyncClient(base_url=servers["metadata"].url, timeout=20) as metadata:
            records = await _seed_records(metadata, tokens)
            imports = await _seed_import(metadata, tokens)
        async with httpx.AsyncClient(base_url=servers["impact"].url, timeout=20) as impact:
            values = await _seed_values(impact, tokens)

        await serve(
            "gateway",
            LiveServer(
                create_gateway(
                    GatewaySettings(
                        registry_url=registry.url,
                        allow_private_targets=True,
                        data_dir=tmp_path / "gateway",
                        log_json=False,
                        deadline_s=3.0,
                        node_timeout_s=2.5,
                        cache_ttl_s=0,
                        registry_wait_s=1.0,
                        rate_limit_per_minute=0,
                        **oidc_settings,
                    )
                )
            ),
        )
        yield Stack(
            apps=apps,
            servers=servers,
            records=records,
            people=people,
            values=values,
            imports=imports,
        )

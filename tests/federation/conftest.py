"""A real federation on 127.0.0.1: a registry, three metadata services (each with its own
database), three misbehaving Nodes (hanging, garbage, stopped) and the gateway, every one a
uvicorn server on an ephemeral port. Nodes join through the registry's real API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from converge_common.testing.db import TestDatabase
from converge_common.testing.plugin import AUDIENCE, Tokens, bearer, service_database
from converge_gateway.app import create_app as create_gateway
from converge_gateway.settings import GatewaySettings
from converge_metadata.app import MIGRATIONS as METADATA_MIGRATIONS
from converge_metadata.app import create_app as create_metadata
from converge_metadata.models import Base as MetadataBase
from converge_metadata.settings import MetadataSettings
from converge_registry.app import MIGRATIONS as REGISTRY_MIGRATIONS
from converge_registry.app import create_app as create_registry
from converge_registry.models import Base as RegistryBase
from converge_registry.settings import RegistrySettings
from fastapi import FastAPI

from tests.gateway.servers import LiveServer
from tests.gateway.simnode import SimNode

REAL_NODES = ("de", "fi", "pt")
BAD_NODES = {"nl": "hang", "se": "garbage", "uk": "stopped"}
FEDERATION = "converge.test.elixir-europe.org"

registry_db = service_database("registry", REGISTRY_MIGRATIONS, RegistryBase.metadata)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def _node_dbs(
    db_backend: str, tmp_path_factory: Any
) -> AsyncIterator[dict[str, TestDatabase]]:
    databases = {}
    for node in REAL_NODES:
        database = TestDatabase(
            service=f"fed_metadata_{node}",
            backend=db_backend,
            migrations=METADATA_MIGRATIONS,
            metadata=MetadataBase.metadata,
            tmp_dir=tmp_path_factory.mktemp(f"fed-{node}"),
            extra_tables=("record_search",),
        )
        await database.create()
        databases[node] = database
    yield databases
    for database in databases.values():
        await database.drop()


@pytest_asyncio.fixture(loop_scope="session")
async def node_dbs(_node_dbs: dict[str, TestDatabase]) -> AsyncIterator[dict[str, str]]:
    yield {node: db.url for node, db in _node_dbs.items()}
    for database in _node_dbs.values():
        await database.clear()


@dataclass
class Federation:
    registry_app: FastAPI
    registry: LiveServer
    nodes: dict[str, LiveServer]
    bad: dict[str, SimNode]
    gateway: LiveServer
    tokens: Tokens
    seeded: dict[str, list[str]] = field(default_factory=dict)
    # the misbehaving Nodes' servers, for a test that stops one
    bad_servers: dict[str, LiveServer] = field(default_factory=dict)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.gateway.url, timeout=10)

    async def publish(self, node: str, *bodies: dict[str, Any]) -> None:
        """Records posted to ``node``'s API with its own token."""
        headers = bearer(self.tokens.node(node))
        async with httpx.AsyncClient(base_url=self.nodes[node].url, timeout=10) as client:
            for body in bodies:
                response = await client.post("/api/v1/records", json=body, headers=headers)
                assert response.status_code == 201, response.text

    async def node_search(self, node: str, **params: Any) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=self.nodes[node].url, timeout=10) as client:
            response = await client.get("/api/v1/search", params={"limit": 100, **params})
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            return body


def record(node: str, index: int, topic: str, kind: str = "Dataset") -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": f"{node}-rec-{index}",
        "type": kind,
        "status": "published",
        "title": {"en": f"{topic} study {index} from {node.upper()}"},
        "description": {"en": f"A {topic} record held by the {node} Node."},
        "keywords": [topic],
        "license": "cc-by-4.0",
        "creators": [{"name": "Josiah Carberry"}],
        "issued": "2023-05-01",
    }
    if kind == "Dataset":
        body["dataset"] = {"organisms": ["10090"]}
    return body


CORPUS = {
    "de": [("protein", "Dataset")] * 7 + [("genome", "Dataset")] * 2,
    "fi": [("protein", "Dataset")] * 3 + [("genome", "Dataset")] * 4,
    "pt": [("protein", "Dataset")] * 5 + [("rna", "Dataset")],
}


async def _admit(api: httpx.AsyncClient, tokens: Tokens) -> None:
    admin = bearer(tokens.admin())
    for node in (*REAL_NODES, *BAD_NODES):
        client = f"node-{node}" if node in REAL_NODES else "node-nl"
        body = {
            "id": node,
            "name": f"ELIXIR {node.upper()}",
            "country": node.upper(),
            "client_ids": [client],
        }
        response = await api.post("/api/v1/nodes", json=body, headers=admin)
        assert response.status_code == 201, response.text


async def _wait_active(api: httpx.AsyncClient, count: int) -> None:
    """Until every Node has registered and the registry's prober has seen it answer."""
    for _ in range(400):
        items = (await api.get("/api/v1/services", params={"kind": "metadata"})).json()["items"]
        if sum(1 for s in items if s["state"] == "active") >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the Nodes did not become active")


async def _seed(fed: Federation) -> None:
    for node, topics in CORPUS.items():
        headers = bearer(fed.tokens.node(node))
        async with httpx.AsyncClient(base_url=fed.nodes[node].url, timeout=20) as client:
            ids = []
            for index, (topic, kind) in enumerate(topics):
                response = await client.post(
                    "/api/v1/records", json=record(node, index, topic, kind), headers=headers
                )
                assert response.status_code == 201, response.text
                ids.append(response.json()["id"])
            draft = {**record(node, 99, "protein"), "status": "draft"}
            response = await client.post("/api/v1/records", json=draft, headers=headers)
            assert response.status_code == 201, response.text
            fed.seeded[node] = ids


@asynccontextmanager
async def running_federation(
    *,
    registry_db: str,
    node_dbs: dict[str, str],
    oidc_settings: dict[str, Any],
    tokens: Tokens,
    tmp_path: Path,
    probe_interval_s: float = 600,
) -> AsyncIterator[Federation]:
    """The federation of this module's docstring, seeded with :data:`CORPUS`, until the block
    ends. ``probe_interval_s``: how often the registry probes each service (600 s: never
    within a test, unless a test shortens it to watch a state change)."""
    async with AsyncExitStack() as stack:
        registry_app = create_registry(
            RegistrySettings(
                database_url=registry_db,
                data_dir=tmp_path,
                auto_migrate=False,
                log_json=False,
                probe_enabled=True,
                probe_tick_s=0.05,
                probe_interval_s=probe_interval_s,
                webhooks_enabled=False,
                allow_private_targets=True,
                **oidc_settings,
            )
        )
        registry = LiveServer(registry_app)
        await registry.start()
        stack.push_async_callback(registry.stop)
        api = await stack.enter_async_context(httpx.AsyncClient(base_url=registry.url, timeout=10))
        await _admit(api, tokens)
        nodes: dict[str, LiveServer] = {}
        for node in REAL_NODES:
            server = LiveServer(None)
            server.app = create_metadata(
                MetadataSettings(
                    database_url=node_dbs[node],
                    data_dir=tmp_path / node,
                    node_id=node,
                    node_name=f"ELIXIR {node.upper()}",
                    auto_migrate=False,
                    log_json=False,
                    registry_url=registry.url,
                    registry_audience=AUDIENCE,
                    client_id=f"node-{node}",
                    client_secret=f"node-{node}-secret",
                    public_url=server.url,
                    **oidc_settings,
                )
            )
            await server.start()
            stack.push_async_callback(server.stop)
            nodes[node] = server
        bad = {
            node: SimNode(mode=mode if mode != "stopped" else "ok")
            for node, mode in BAD_NODES.items()
        }
        bad_servers = {node: LiveServer(sim) for node, sim in bad.items()}
        # the simulated Nodes have no client of their own: the federation admin registers them
        steward = bearer(tokens.admin())
        for node, server in bad_servers.items():
            await server.start()
            stack.push_async_callback(server.stop)
            stack.callback(bad[node].release)
            body = {"base_url": server.url, "api_version": "1.0.0"}
            url = f"/api/v1/nodes/{node}/services/metadata"
            assert (await api.put(url, json=body, headers=steward)).status_code in (200, 201)
        await _wait_active(api, len(REAL_NODES) + len(BAD_NODES))
        await bad_servers["uk"].stop()  # active in the registry's eyes, but gone
        gateway = LiveServer(
            create_gateway(
                GatewaySettings(
                    registry_url=registry.url,
                    allow_private_targets=True,
                    data_dir=tmp_path,
                    log_json=False,
                    # generous for a loaded CI machine: only the hanging Node may miss it
                    deadline_s=3.0,
                    node_timeout_s=2.5,
                    cache_ttl_s=0,
                    federation_id=FEDERATION,
                    registry_wait_s=1.0,
                    rate_limit_per_minute=0,
                    # each Node is asked for exactly as many facet values as are shown, so a
                    # Node's list is cut as soon as it holds more, and counts must be completed
                    facet_node_factor=1.0,
                    facet_node_extra=0,
                    # OAI-PMH pages smaller than a Node's list: pages end inside a Node's page
                    oai_page_size=4,
                    # the gateway checks a caller's token (it keys rate limits by subject)
                    **oidc_settings,
                )
            )
        )
        await gateway.start()
        stack.push_async_callback(gateway.stop)
        fed = Federation(registry_app, registry, nodes, bad, gateway, tokens)
        fed.bad_servers = bad_servers
        await _seed(fed)
        yield fed


@pytest_asyncio.fixture(loop_scope="session")
async def federation(
    registry_db: str,
    node_dbs: dict[str, str],
    oidc_settings: dict[str, Any],
    tokens: Tokens,
    tmp_path: Path,
) -> AsyncIterator[Federation]:
    """A fresh federation for a test that changes it (its databases emptied afterwards)."""
    async with running_federation(
        registry_db=registry_db,
        node_dbs=node_dbs,
        oidc_settings=oidc_settings,
        tokens=tokens,
        tmp_path=tmp_path,
    ) as fed:
        yield fed


# records the portal's read-only tests read besides the corpus: a title in two languages, and
# text that tries to become markup
PORTAL_RECORDS: dict[str, list[dict[str, Any]]] = {
    "fi": [
        {
            "id": "fi-bilingual",
            "type": "Dataset",
            "status": "published",
            "title": {"en": "Birch pollen genomes", "fi": "Koivun siitepölyn genomit"},
            "description": {"en": "English text.", "fi": "Suomenkielinen kuvaus."},
        },
        {
            "id": "fi-browser",
            "type": "Dataset",
            "status": "published",
            "title": {"en": "Lake sediment metagenomes", "fi": "Järvisedimentin metagenomit"},
            "description": {"en": "English.", "fi": "Suomeksi."},
        },
    ],
    "pt": [
        {
            "id": "pt-hostile",
            "type": "Dataset",
            "status": "published",
            "title": {"en": "<script>alert(1)</script> hostile"},
            "description": {"en": "</script><img src=x onerror=alert(1)>"},
            "keywords": ["<b>bold</b>"],
        }
    ],
}


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def portal_federation(
    db_backend: str,
    oidc_settings: dict[str, Any],
    tokens: Tokens,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Federation]:
    """One federation per test process for the tests that only read it (the portal's pages):
    the corpus, :data:`PORTAL_RECORDS`, the courses and the people of the expert network,
    started once instead of once per test. A test that changes anything uses ``federation``.
    Its own databases, so that emptying ``federation``'s after each test leaves it whole."""
    from tests.federation.courses import seed_courses
    from tests.federation.experts import seed_people

    if db_backend != "sqlite":
        pytest.skip("portal pages: the Nodes' answers are checked on both backends elsewhere")
    tmp_path = tmp_path_factory.mktemp("portal-federation")
    databases = {
        service: TestDatabase(
            service=f"portal_{service}",
            backend=db_backend,
            migrations=REGISTRY_MIGRATIONS if service == "registry" else METADATA_MIGRATIONS,
            metadata=RegistryBase.metadata if service == "registry" else MetadataBase.metadata,
            tmp_dir=tmp_path,
            extra_tables=() if service == "registry" else ("record_search",),
        )
        for service in ("registry", *REAL_NODES)
    }
    async with AsyncExitStack() as stack:
        for database in databases.values():
            await database.create()
            stack.push_async_callback(database.drop)
        fed = await stack.enter_async_context(
            running_federation(
                registry_db=databases["registry"].url,
                node_dbs={node: databases[node].url for node in REAL_NODES},
                oidc_settings=oidc_settings,
                tokens=tokens,
                tmp_path=tmp_path,
            )
        )
        for node, bodies in PORTAL_RECORDS.items():
            await fed.publish(node, *bodies)
        await seed_courses(fed)
        await seed_people(fed)
        yield fed


# the official OAI-PMH schema with the schemas of every format it embeds
from tests.metadata.publishing.conftest import oai_schema  # noqa: E402

__all__ = ["oai_schema"]


@pytest.fixture
def portal_backend(db_backend: str) -> None:
    """The portal's pages are drawn by the gateway from the Nodes' API answers, which the other
    federation tests check on both backends: its page and browser tests run on SQLite only."""
    if db_backend != "sqlite":
        pytest.skip("portal pages: the Nodes' answers are checked on both backends elsewhere")

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest_asyncio
from converge_common.testing.asgi import asgi_client
from converge_gateway.app import create_app
from converge_gateway.context import Gateway
from converge_gateway.directory.schemas import NodeEntry
from converge_gateway.settings import GatewaySettings
from fastapi import FastAPI

from tests.gateway.servers import LiveServer
from tests.gateway.simnode import SimNode, SimRecord

__all__ = ["Federation", "corpus"]


def corpus(prefix: str, titles: list[str], kind: str = "Dataset") -> list[SimRecord]:
    return [SimRecord(f"{prefix}{i}", title, kind) for i, title in enumerate(titles)]


@dataclass
class Federation:
    """Simulated Nodes on real sockets and a gateway whose directory lists them."""

    app: FastAPI
    client: httpx.AsyncClient
    nodes: dict[str, SimNode]
    servers: dict[str, LiveServer]

    @property
    def gateway(self) -> Gateway:
        gateway: Gateway = self.app.state.gateway
        return gateway

    async def search(self, **params: Any) -> dict[str, Any]:
        response = await self.client.get("/api/v1/search", params=params)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


StartFederation = Callable[..., Awaitable[Federation]]


@pytest_asyncio.fixture(loop_scope="session")
async def federation(tmp_path: Path) -> AsyncIterator[StartFederation]:
    async with AsyncExitStack() as stack:

        async def start(
            nodes: dict[str, SimNode],
            *,
            states: dict[str, str] | None = None,
            impact_states: dict[str, str | None] | None = None,
            stopped: tuple[str, ...] = (),
            **overrides: Any,
        ) -> Federation:
            servers: dict[str, LiveServer] = {}
            for node_id, sim in nodes.items():
                server = LiveServer(sim)
                if node_id not in stopped:
                    await server.start()
                    stack.push_async_callback(server.stop)
                    stack.callback(sim.release)
                servers[node_id] = server
            values: dict[str, Any] = {
                "data_dir": tmp_path,
                "log_json": False,
                "allow_private_targets": True,
                # generous for a loaded CI machine: only a hanging Node may miss it
                "deadline_s": 2.0,
                "node_timeout_s": 1.6,
                "cache_ttl_s": 0.0,
                "directory_snapshot": False,
                **overrides,
            }
            app = create_app(GatewaySettings(**values))
            client = await stack.enter_async_context(asgi_client(app))
            entries = [
                NodeEntry(
                    id=node_id,
                    name=f"ELIXIR {node_id.upper()}",
                    country=node_id.upper(),
                    status="accepted",
                    metadata_url=server.url,
                    service_state=(states or {}).get(node_id, "active"),
                    # the simulated Node is its impact service too (None: it runs none)
                    impact_url=server.url if impact_state else None,
                    impact_state=impact_state,
                )
                for node_id, server in servers.items()
                for impact_state in [(impact_states or {}).get(node_id, "active")]
            ]
            app.state.gateway.directory.replace(entries)
            return Federation(app=app, client=client, nodes=nodes, servers=servers)

        yield start

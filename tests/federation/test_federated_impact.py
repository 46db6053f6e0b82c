"""Federated impact over a real registry and gateway: the gateway finds each Node's impact
service through the registry and combines their figures. The impact services here are
simulated Nodes answering the per-Node impact contract with known values."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from typing import Any

import httpx
from converge_common.testing.plugin import bearer

from tests.federation.conftest import Federation
from tests.gateway.servers import LiveServer
from tests.gateway.simnode import SimIndicator, SimNode, SimValue

DATASETS = SimIndicator("records.datasets.published", "sum")
FTE = SimIndicator("staff.fte", "latest", unit="FTE", pathway="infrastructure_sustainability")
IMPACT = {
    "de": [SimValue(DATASETS.code, "2025", 9), SimValue(FTE.code, "2025", 3, "2026-01-02T00:00Z")],
    "fi": [SimValue(DATASETS.code, "2025", 7), SimValue(FTE.code, "2025", 5, "2026-01-03T00:00Z")],
    "pt": [SimValue(DATASETS.code, "2025", 6), SimValue(FTE.code, "2025", 1, "2026-01-01T00:00Z")],
}


async def _register_impact(
    federation: Federation, stack: AsyncExitStack, sims: dict[str, SimNode]
) -> None:
    async with httpx.AsyncClient(base_url=federation.registry.url, timeout=10) as registry:
        for node, sim in sims.items():
            server = LiveServer(sim)
            await server.start()
            stack.push_async_callback(server.stop)
            stack.callback(sim.release)
            owner = node if node in IMPACT else "nl"  # the misbehaving Nodes' client
            response = await registry.put(
                f"/api/v1/nodes/{node}/services/impact",
                json={"base_url": server.url, "api_version": "1.0.0"},
                headers=bearer(federation.tokens.node(owner)),
            )
            assert response.status_code in (200, 201), response.text


async def _gateway_sees(client: httpx.AsyncClient, nodes: set[str]) -> None:
    for _ in range(400):
        listed = (await client.get("/api/v1/nodes")).json()["nodes"]
        if {n["id"] for n in listed if n["impact_state"] == "active"} >= nodes:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the gateway did not learn of the impact services")


async def impact(client: httpx.AsyncClient, path: str, **params: Any) -> dict[str, Any]:
    response = await client.get(f"/api/v1/impact{path}", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


class TestFederatedImpact:
    async def test_found_through_the_registry_and_combined(self, federation: Federation) -> None:
        sims = {n: SimNode(indicators=[DATASETS, FTE], values=v) for n, v in IMPACT.items()}
        sims["nl"] = SimNode(mode="hang")
        async with AsyncExitStack() as stack, federation.client() as client:
            await _register_impact(federation, stack, sims)
            await _gateway_sees(client, {"de", "fi", "pt", "nl"})

            body = await impact(client, f"/indicators/{DATASETS.code}")
            statuses = {o["node"]: (o["status"], o["reason"]) for o in body["nodes"]}
            assert statuses == {
                "de": ("ok", None),
                "fi": ("ok", None),
                "pt": ("ok", None),
                "nl": ("timeout", None),
                "se": ("skipped", "no impact service registered"),
                "uk": ("skipped", "no impact service registered"),
            }
            assert body["partial"] is True
            assert body["points"] == [
                {
                    "period": "2025",
                    "value": 22.0,
                    "nodes": {"de": 9.0, "fi": 7.0, "pt": 6.0},
                    "latest_node": None,
                }
            ]

            profile = await impact(client, "/profile", period="2025", node="de,fi,pt")
            assert profile["partial"] is False
            values = {i["code"]: i for p in profile["pathways"] for i in p["indicators"]}
            assert values[DATASETS.code]["value"] == 22.0
            assert (values[FTE.code]["value"], values[FTE.code]["latest_node"]) == (5.0, "fi")

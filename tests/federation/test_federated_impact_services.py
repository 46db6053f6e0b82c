"""The gateway over two real impact services (each on its own database), found through the
real registry, with values reported and validated through each Node's own API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest_asyncio
from converge_common.testing.db import TestDatabase
from converge_common.testing.plugin import AUDIENCE, Tokens, bearer
from converge_impact.app import MIGRATIONS as IMPACT_MIGRATIONS
from converge_impact.app import create_app as create_impact
from converge_impact.models import Base as ImpactBase
from converge_impact.settings import ImpactSettings

from tests.federation.conftest import Federation
from tests.gateway.servers import LiveServer

IMPACT_NODES = ("de", "fi")
# a Node indicator both Nodes add, combined across Nodes by the most recently validated value
LATEST = {
    "code": "outreach.partners",
    "name": "Outreach partners",
    "description": "Partners reached by the Node's outreach programme",
    "pathway": "working_together",
    "type": "outcome",
    "unit": "partners",
    "combine_nodes": "latest",
    "combine_periods": "max",
}
# (indicator, period, value) per Node, validated in this order
VALUES: dict[str, list[tuple[str, str, float]]] = {
    "de": [
        ("publications.citing", "2024", 11),
        ("publications.citing", "2025", 40),
        ("training.participants.women_share", "2025", 40),
        ("staff.fte", "2025-Q1", 10),
        ("staff.fte", "2025-Q2", 14),
        (LATEST["code"], "2025", 7),
    ],
    "fi": [
        ("publications.citing", "2025", 25),
        ("training.participants.women_share", "2025", 55),
        ("staff.fte", "2025", 6.5),
        (LATEST["code"], "2025", 3),
    ],
}


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def _impact_dbs(
    db_backend: str, tmp_path_factory: Any
) -> AsyncIterator[dict[str, TestDatabase]]:
    databases = {}
    for node in IMPACT_NODES:
        database = TestDatabase(
            service=f"fed_impact_{node}",
            backend=db_backend,
            migrations=IMPACT_MIGRATIONS,
            metadata=ImpactBase.metadata,
            tmp_dir=tmp_path_factory.mktemp(f"fed-impact-{node}"),
        )
        await database.create()
        databases[node] = database
    yield databases
    for database in databases.values():
        await database.drop()


@pytest_asyncio.fixture(loop_scope="session")
async def impact_services(
    federation: Federation,
    _impact_dbs: dict[str, TestDatabase],
    oidc_settings: dict[str, Any],
    tmp_path: Path,
) -> AsyncIterator[dict[str, LiveServer]]:
    """Each Node's impact service, registered with the registry as the Node itself."""
    async with AsyncExitStack() as stack:
        servers = {}
        for node in IMPACT_NODES:
            server = LiveServer(None)
            server.app = create_impact(
                ImpactSettings(
                    database_url=_impact_dbs[node].url,
                    data_dir=tmp_path / f"impact-{node}",
                    node_id=node,
                    node_name=f"ELIXIR {node.upper()}",
                    auto_migrate=False,
                    log_json=False,
                    derive_interval_s=0,
                    registry_url=federation.registry.url,
                    registry_audience=AUDIENCE,
                    client_id=f"node-{node}",
                    client_secret=f"node-{node}-secret",
                    public_url=server.url,
                    **oidc_settings,
                )
            )
            await server.start()
            stack.push_async_callback(server.stop)
            servers[node] = server
        await _report(servers, federation.tokens)
        yield servers
    for database in _impact_dbs.values():
        await database.clear()


async def _report(servers: dict[str, LiveServer], tokens: Tokens) -> None:
    for node, server in servers.items():
        admin = bearer(tokens.node(node))
        async with httpx.AsyncClient(base_url=server.url, timeout=20) as api:
            response = await api.post("/api/v1/indicators", json=LATEST, headers=admin)
            assert response.status_code == 201, response.text
    # de's values first, then fi's: fi's value of the latest-rule indicator is validated last
    for node, server in servers.items():
        admin = bearer(tokens.node(node))
        async with httpx.AsyncClient(base_url=server.url, timeout=20) as api:
            for indicator, period, value in VALUES[node]:
                body = {"indicator": indicator, "period": period, "value": value}
                response = await api.post("/api/v1/values", json=body, headers=admin)
                assert response.status_code == 201, response.text
                url = f"/api/v1/values/{response.json()['id']}"
                for step in ("submit", "validate"):
                    response = await api.post(f"{url}/{step}", headers=admin)
                    assert response.status_code == 200, response.text
            # a draft is not public, so never federated
            draft = {"indicator": "publications.citing", "period": "2023", "value": 999}
            response = await api.post("/api/v1/values", json=draft, headers=admin)
            assert response.status_code == 201, response.text


async def _gateway_sees(client: httpx.AsyncClient) -> None:
    for _ in range(400):
        listed = (await client.get("/api/v1/nodes")).json()["nodes"]
        if {n["id"] for n in listed if n["impact_state"] == "active"} >= set(IMPACT_NODES):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the gateway did not learn of the impact services")


async def _impact(client: httpx.AsyncClient, path: str, **params: Any) -> dict[str, Any]:
    response = await client.get(f"/api/v1/impact{path}", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _own_series(server: LiveServer, code: str, **params: Any) -> dict[str, float]:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as api:
        response = await api.get(f"/api/v1/indicators/{code}/series", params=params)
        assert response.status_code == 200, response.text
        return {p["period"]: p["value"] for p in response.json()["points"]}


class TestRealImpactServices:
    async def test_each_rule_over_the_nodes_own_answers(
        self, federation: Federation, impact_services: dict[str, LiveServer]
    ) -> None:
        async with federation.client() as client:
            await _gateway_sees(client)
            cases = {
                "publications.citing": ("sum", {"2024": 11.0, "2025": 65.0}),
                "training.participants.women_share": ("mean", {"2025": 47.5}),
                # de: the mean of its quarters (staff FTE combine over periods by mean)
                "staff.fte": ("sum", {"2025": 18.5}),
                LATEST["code"]: ("latest", {"2025": 3.0}),
            }
            for code, (rule, expected) in cases.items():
                body = await _impact(client, f"/indicators/{code}", granularity="year")
                assert body["indicator"]["combine_nodes"] == rule
                assert {p["period"]: p["value"] for p in body["points"]} == expected, code
                own = {n: await _own_series(s, code) for n, s in impact_services.items()}
                for point in body["points"]:
                    assert point["nodes"] == {
                        n: values[point["period"]]
                        for n, values in own.items()
                        if point["period"] in values
                    }
                # Nodes without an impact service are listed but expected to give nothing
                assert body["partial"] is False
                statuses = {o["node"]: o["status"] for o in body["nodes"]}
                assert statuses == {
                    "de": "ok",
                    "fi": "ok",
                    "pt": "skipped",
                    "nl": "skipped",
                    "se": "skipped",
                    "uk": "skipped",
                }
            latest = await _impact(client, f"/indicators/{LATEST['code']}")
            assert latest["points"][0]["latest_node"] == "fi"
            assert latest["indicator"]["scope"] == "node"

    async def test_catalogue_profile_and_a_node_leaving(
        self, federation: Federation, impact_services: dict[str, LiveServer]
    ) -> None:
        async with federation.client() as client:
            await _gateway_sees(client)
            catalogue = await _impact(client, "/indicators")
            by_code = {i["code"]: i for i in catalogue["items"]}
            assert by_code["publications.citing"]["nodes"] == ["de", "fi"]
            assert by_code[LATEST["code"]]["nodes"] == ["de", "fi"]
            assert all(i["conflicts"] == {} for i in catalogue["items"])
            assert catalogue["partial"] is False

            profile = await _impact(client, "/profile", period="2025")
            values = {i["code"]: i for p in profile["pathways"] for i in p["indicators"]}
            assert values["publications.citing"]["value"] == 65.0
            assert values["publications.citing"]["nodes"] == {"de": 40.0, "fi": 25.0}
            assert values["training.participants.women_share"]["value"] == 47.5
            # the Nodes' profiles carry no times: the gateway dates latest-rule values by series
            outreach = values[LATEST["code"]]
            assert (outreach["value"], outreach["latest_node"]) == (3.0, "fi")
            assert profile["partial"] is False

            # a service that stops deregisters: once the gateway knows, fi is expected to give
            # nothing (skipped, not partial) and the figures are de's alone
            await impact_services["fi"].stop()
            for _ in range(400):
                listed = (await client.get("/api/v1/nodes")).json()["nodes"]
                if next(n for n in listed if n["id"] == "fi")["impact_url"] is None:
                    break
                await asyncio.sleep(0.05)
            body = await _impact(client, "/indicators/publications.citing")
            fi = next(o for o in body["nodes"] if o["node"] == "fi")
            assert (fi["status"], fi["reason"]) == ("skipped", "no impact service registered")
            assert body["partial"] is False
            assert {p["period"]: p["value"] for p in body["points"]} == {"2024": 11.0, "2025": 40.0}

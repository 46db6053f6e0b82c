"""A Node's service registers, heartbeats, is probed and leaves; only as its own Node."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from converge_common.testing.plugin import Tokens, bearer
from fastapi import FastAPI

from tests.registry.conftest import AdmitNode
from tests.registry.servers import LiveServer

DE = "/api/v1/nodes/de/services/metadata"


def _registration(url: str, **extra: Any) -> dict[str, Any]:
    return {
        "base_url": url,
        "api_version": "1.0.0",
        "capabilities": {"formats": ["dcat-ap", "bioschemas"], "features": ["oai-pmh"]},
        **extra,
    }


async def _changes(api: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await api.get("/api/v1/changes", params={"since": 0, "limit": 1000})
    assert response.status_code == 200
    items: list[dict[str, Any]] = response.json()["items"]
    return items


class TestRegister:
    async def test_anonymous(self, api: httpx.AsyncClient, admit: AdmitNode) -> None:
        await admit("de")
        response = await api.put(DE, json=_registration("http://127.0.0.1:9"))
        assert response.status_code == 401

    @pytest.mark.parametrize("who", ["node-fi", "nobody", "alice"])
    async def test_other_node_or_no_role(
        self, api: httpx.AsyncClient, admit: AdmitNode, tokens: Tokens, who: str
    ) -> None:
        await admit("de")
        await admit("fi")
        token = tokens.user("alice") if who == "alice" else tokens.client(who)
        response = await api.put(
            DE, json=_registration("http://127.0.0.1:9"), headers=bearer(token)
        )
        assert response.status_code == 403, response.text
        assert (await api.get(DE)).status_code == 404

    async def test_pending_node_may_not_register(
        self, api: httpx.AsyncClient, admit: AdmitNode, tokens: Tokens
    ) -> None:
        await admit("de", status="pending")
        response = await api.put(
            DE, json=_registration("http://127.0.0.1:9"), headers=bearer(tokens.node("de"))
        )
        assert response.status_code == 403
        assert "pending" in response.json()["detail"]

    async def test_own_node_registers_idempotently(
        self, api: httpx.AsyncClient, admit: AdmitNode, tokens: Tokens
    ) -> None:
        await admit("de")
        body = _registration("http://127.0.0.1:9")
        first = await api.put(DE, json=body, headers=bearer(tokens.node("de")))
        assert first.status_code == 201, first.text
        assert first.headers["location"] == DE
        assert first.json()["state"] == "active"
        second = await api.put(DE, json=body, headers=bearer(tokens.node("de")))
        assert second.status_code == 200
        types = [c["type"] for c in await _changes(api)]
        assert types.count("service.registered") == 1
        assert "service.updated" not in types

    async def test_the_role_decides_as_at_the_node(
        self, api: httpx.AsyncClient, admit: AdmitNode, tokens: Tokens
    ) -> None:
        # the registry applies the Nodes' rule: node:de:admin acts for de; a bound client id
        # or entitlement without that role does not (the Node's services refuse it too)
        await admit("de", client_ids=["node-de"], entitlements=["node:de:steward"])
        body = _registration("http://127.0.0.1:9")
        scopeless = tokens.client("node-de", scope="profile")  # granted: none
        for token in (scopeless, tokens.user("alice")):
            response = await api.put(DE, json=body, headers=bearer(token))
            assert response.status_code == 403, response.text
        admin = tokens.client("node-de", scope="node:de:admin")
        assert (await api.put(DE, json=body, headers=bearer(admin))).status_code == 201

    async def test_unknown_node(self, api: httpx.AsyncClient, tokens: Tokens) -> None:
        response = await api.put(
            DE, json=_registration("http://127.0.0.1:9"), headers=bearer(tokens.node("de"))
        )
        assert response.status_code == 404


class TestRefusedTargets:
    @pytest.mark.parametrize(
        "url",
        [
            "http://169.254.169.254/latest",
            "http://[::ffff:169.254.169.254]/",
            "http://metadata.google.internal/",
            "ftp://127.0.0.1/",
            "http://user:pw@127.0.0.1:9/",
        ],
    )
    async def test_refused_even_when_private_allowed(
        self, api: httpx.AsyncClient, admit: AdmitNode, tokens: Tokens, url: str
    ) -> None:
        await admit("de")
        response = await api.put(DE, json=_registration(url), headers=bearer(tokens.node("de")))
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["pointer"] == "/base_url"


class TestHeartbeatAndLeave:
    async def test_heartbeat_then_leave(
        self, api: httpx.AsyncClient, admit: AdmitNode, tokens: Tokens
    ) -> None:
        await admit("de")
        await admit("fi")
        de = bearer(tokens.node("de"))
        await api.put(DE, json=_registration("http://127.0.0.1:9"), headers=de)
        assert (await api.post(DE + "/heartbeat")).status_code == 401
        fi = bearer(tokens.node("fi"))
        assert (await api.post(DE + "/heartbeat", headers=fi)).status_code == 403
        beat = await api.post(DE + "/heartbeat", headers=de)
        assert beat.status_code == 200
        assert beat.json()["last_heartbeat_at"] is not None
        assert (await api.delete(DE, headers=fi)).status_code == 403
        assert (await api.delete(DE)).status_code == 401
        assert (await api.delete(DE, headers=de)).status_code == 204
        assert (await api.get(DE)).json()["state"] == "retired"
        assert (await api.post(DE + "/heartbeat", headers=de)).status_code == 404
        listed = (await api.get("/api/v1/services")).json()["items"]
        assert listed == []
        retired = (await api.get("/api/v1/services", params={"state": "retired"})).json()
        assert [s["node_id"] for s in retired["items"]] == ["de"]


class TestProbing:
    async def test_unreachable_when_stopped_and_back_when_it_returns(
        self,
        api: httpx.AsyncClient,
        registry_app: FastAPI,
        admit: AdmitNode,
        tokens: Tokens,
        live: LiveServer,
    ) -> None:
        await admit("de")
        # a heartbeat-free start: register, then let probes decide
        await api.put(DE, json=_registration(live.url), headers=bearer(tokens.node("de")))
        prober = registry_app.state.prober
        assert await prober.run_round(force=True) == 1
        service = (await api.get(DE)).json()
        assert service["state"] == "active"
        assert service["last_probe"]["result"] == "ok"
        assert service["last_probe"]["status"] == 200

        await live.stop()
        await prober.run_round(force=True)
        assert (await api.get(DE)).json()["state"] == "active"  # one failure is not enough
        await prober.run_round(force=True)
        service = (await api.get(DE)).json()
        assert service["state"] == "unreachable"
        assert service["last_probe"]["result"] == "failed"

        await live.start()
        await prober.run_round(force=True)
        assert (await api.get(DE)).json()["state"] == "active"

        history = (await api.get(DE + "/history", params={"sort": "at"})).json()["items"]
        assert [h["to_state"] for h in history] == ["unknown", "active", "unreachable", "active"]
        changes = [c for c in await _changes(api) if c["type"] == "service.state_changed"]
        assert [c["data"]["to"] for c in changes] == ["active", "unreachable", "active"]

    async def test_degraded_on_503(
        self,
        api: httpx.AsyncClient,
        registry_app: FastAPI,
        admit: AdmitNode,
        tokens: Tokens,
        live: LiveServer,
    ) -> None:
        await admit("de")
        await api.put(DE, json=_registration(live.url), headers=bearer(tokens.node("de")))
        live.app.ready_status = 503
        await registry_app.state.prober.run_round(force=True)
        service = (await api.get(DE)).json()
        assert service["state"] == "degraded"
        assert service["last_probe"]["status"] == 503

    async def test_heartbeat_does_not_override_failing_probes(
        self,
        api: httpx.AsyncClient,
        registry_app: FastAPI,
        admit: AdmitNode,
        tokens: Tokens,
        live: LiveServer,
    ) -> None:
        await admit("de")
        de = bearer(tokens.node("de"))
        await api.put(DE, json=_registration(live.url), headers=de)
        live.app.ready_status = 500
        for _ in range(2):
            await registry_app.state.prober.run_round(force=True)
        assert (await api.get(DE)).json()["state"] == "unreachable"
        await api.post(DE + "/heartbeat", headers=de)
        assert (await api.get(DE)).json()["state"] == "unreachable"
        live.app.ready_status = 200
        # the heartbeat asked for a probe now: an ordinary (not forced) round takes it
        assert await registry_app.state.prober.run_round() == 1
        assert (await api.get(DE)).json()["state"] == "active"

    async def test_availability_windows(
        self, api: httpx.AsyncClient, admit: AdmitNode, tokens: Tokens
    ) -> None:
        await admit("de")
        await api.put(
            DE, json=_registration("http://127.0.0.1:9"), headers=bearer(tokens.node("de"))
        )
        windows = (await api.get(DE)).json()["availability"]
        assert set(windows) == {"24h", "7d", "30d"}
        assert windows["24h"]["availability"] == 1.0
        assert windows["24h"]["seconds"]["active"] >= 0

"""Webhooks: admin-managed subscribers get signed deliveries; replays and alterations fail."""

from __future__ import annotations

import httpx
import pytest
from converge_common.testing.plugin import Tokens, bearer
from converge_common.webhooks import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    InvalidSignature,
    ReplayedDelivery,
    WebhookVerifier,
    signature_headers,
)
from fastapi import FastAPI

from tests.registry.conftest import AdmitNode
from tests.registry.servers import LiveServer

SECRET = "s" * 40


async def _subscribe(api: httpx.AsyncClient, tokens: Tokens, url: str) -> httpx.Response:
    return await api.post(
        "/api/v1/webhooks",
        json={"url": url, "secret": SECRET, "description": "gateway"},
        headers=bearer(tokens.admin()),
    )


class TestSubscriptions:
    async def test_roles(self, api: httpx.AsyncClient, tokens: Tokens) -> None:
        body = {"url": "http://127.0.0.1:9/hook"}
        assert (await api.post("/api/v1/webhooks", json=body)).status_code == 401
        for token in (tokens.node("de"), tokens.nobody()):
            response = await api.post("/api/v1/webhooks", json=body, headers=bearer(token))
            assert response.status_code == 403
        assert (
            await api.get("/api/v1/webhooks", headers=bearer(tokens.nobody()))
        ).status_code == 403
        created = await api.post("/api/v1/webhooks", json=body, headers=bearer(tokens.admin()))
        assert created.status_code == 201
        assert len(created.json()["secret"]) >= 32
        listed = (await api.get("/api/v1/webhooks", headers=bearer(tokens.admin()))).json()
        assert [w["url"] for w in listed] == [body["url"]]
        assert "secret" not in listed[0]
        gone = await api.delete(
            f"/api/v1/webhooks/{created.json()['id']}", headers=bearer(tokens.admin())
        )
        assert gone.status_code == 204

    async def test_metadata_address_refused(self, api: httpx.AsyncClient, tokens: Tokens) -> None:
        response = await _subscribe(api, tokens, "http://169.254.169.254/hook")
        assert response.status_code == 422


class TestDelivery:
    async def test_signed_delivery_verifies_and_replay_or_alteration_is_refused(
        self,
        api: httpx.AsyncClient,
        registry_app: FastAPI,
        admit: AdmitNode,
        tokens: Tokens,
        live: LiveServer,
    ) -> None:
        assert (await _subscribe(api, tokens, live.url + "/hook")).status_code == 201
        await admit("de")
        delivered = await registry_app.state.webhook_sender.run_once()
        assert delivered == 1
        body, headers = live.app.received[-1]
        verifier = WebhookVerifier(SECRET)
        assert verifier.verify(body, headers) == headers[DELIVERY_HEADER.lower()]
        assert b'"node.admitted"' in body
        with pytest.raises(ReplayedDelivery):
            verifier.verify(body, headers)
        with pytest.raises(InvalidSignature):
            WebhookVerifier(SECRET).verify(body.replace(b'"de"', b'"fi"'), headers)
        with pytest.raises(InvalidSignature):
            WebhookVerifier("another secret").verify(body, headers)
        # a replay under a new delivery id does not verify: the id is signed
        renamed = {**headers, DELIVERY_HEADER.lower(): "fresh-id"}
        with pytest.raises(InvalidSignature):
            WebhookVerifier(SECRET).verify(body, renamed)
        # nothing new: nothing sent
        assert await registry_app.state.webhook_sender.run_once() == 0

    async def test_failed_delivery_is_retried(
        self,
        api: httpx.AsyncClient,
        registry_app: FastAPI,
        admit: AdmitNode,
        tokens: Tokens,
        live: LiveServer,
    ) -> None:
        await _subscribe(api, tokens, live.url + "/hook")
        await admit("de")
        live.app.answer_status = 500
        sender = registry_app.state.webhook_sender
        assert await sender.run_once() == 0
        listed = (await api.get("/api/v1/webhooks", headers=bearer(tokens.admin()))).json()
        assert listed[0]["failures"] == 1
        assert listed[0]["last_error"] == "HTTP 500"
        live.app.answer_status = 204
        assert await sender.run_once(ignore_backoff=True) == 1
        first, second = live.app.received[-2], live.app.received[-1]
        assert first[0] == second[0]  # the same batch, again


class TestVerifier:
    def test_stale_timestamp(self) -> None:
        headers = signature_headers(SECRET, b"{}", delivery_id="d1", timestamp=1_000)
        verifier = WebhookVerifier(SECRET, clock=lambda: 1_000 + 301)
        with pytest.raises(InvalidSignature):
            verifier.verify(b"{}", headers)
        assert WebhookVerifier(SECRET, clock=lambda: 1_000 + 299).verify(b"{}", headers) == "d1"

    def test_malformed_header(self) -> None:
        with pytest.raises(InvalidSignature):
            WebhookVerifier(SECRET).verify(b"{}", {DELIVERY_HEADER: "d", SIGNATURE_HEADER: "x"})

"""Health probes, metrics by route template, request ids, service-info, JSON logs."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from converge_common.observability import JsonFormatter
from sqlalchemy.ext.asyncio import create_async_engine


class TestHealth:
    async def test_livez(self, harness: httpx.AsyncClient) -> None:
        assert (await harness.get("/livez")).json() == {"status": "ok"}

    async def test_readyz_ok(self, harness: httpx.AsyncClient) -> None:
        response = await harness.get("/readyz")
        assert response.status_code == 200
        assert response.json()["checks"] == {"database": "ok"}

    async def test_readyz_503_when_database_down(self, harness: httpx.AsyncClient) -> None:
        app = harness._transport.app  # type: ignore[attr-defined]
        db = app.state.db
        real = db.engine
        db.engine = create_async_engine(
            "postgresql+asyncpg://nobody@127.0.0.1:1/none", connect_args={"timeout": 1}
        )
        try:
            response = await harness.get("/readyz")
        finally:
            await db.engine.dispose()
            db.engine = real
        assert response.status_code == 503
        assert response.json()["checks"]["database"].startswith("down")


class TestMetrics:
    async def test_labelled_by_route_template(self, harness: httpx.AsyncClient) -> None:
        for item_id in (101, 102, 103):
            await harness.get(f"/api/v1/items/{item_id}")
        text = (await harness.get("/metrics")).text
        assert 'route="/api/v1/items/{item_id}"' in text
        assert "/api/v1/items/101" not in text
        line = next(
            x
            for x in text.splitlines()
            if x.startswith("http_requests_total") and "{item_id}" in x and 'status="404"' in x
        )
        assert float(line.rsplit(" ", 1)[1]) == 3.0
        assert "http_request_duration_seconds_bucket" in text


class TestServiceInfo:
    async def test_ga4gh_fields(self, harness: httpx.AsyncClient) -> None:
        info = (await harness.get("/service-info")).json()
        for key in ("id", "name", "type", "organization", "version", "description"):
            assert key in info
        assert set(info["type"]) == {"group", "artifact", "version"}


class TestRequestId:
    async def test_generated_when_absent(self, harness: httpx.AsyncClient) -> None:
        response = await harness.get("/livez")
        assert len(response.headers["x-request-id"]) == 32

    @pytest.mark.parametrize("bad", ["has space", "x" * 200, "new\\nline"])
    async def test_unsafe_ids_replaced(self, harness: httpx.AsyncClient, bad: str) -> None:
        response = await harness.get("/livez", headers={"X-Request-ID": bad})
        assert response.headers["x-request-id"] != bad


def test_json_log_line_carries_fields() -> None:
    record = logging.LogRecord("converge.x", logging.INFO, __file__, 1, "hello %s", ("w",), None)
    record.node = "de"
    entry = json.loads(JsonFormatter().format(record))
    assert entry["msg"] == "hello w"
    assert entry["node"] == "de"
    assert entry["level"] == "info"

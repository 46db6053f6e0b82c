"""Derived values from a real metadata service and a real registry (uvicorn on loopback),
read with the impact service's own client-credentials token, on both backends."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest_asyncio
from converge_common.testing.asgi import asgi_client
from converge_common.testing.plugin import AUDIENCE, Tokens, bearer, service_database
from converge_common.testing.servers import LiveServer
from converge_impact.app import create_app
from converge_impact.settings import ImpactSettings
from converge_metadata.app import MIGRATIONS as METADATA_MIGRATIONS
from converge_metadata.app import create_app as create_metadata
from converge_metadata.models import Base as MetadataBase
from converge_metadata.settings import MetadataSettings
from converge_registry.app import MIGRATIONS as REGISTRY_MIGRATIONS
from converge_registry.app import create_app as create_registry
from converge_registry.models import Base as RegistryBase
from converge_registry.settings import RegistrySettings

from tests.impact.conftest import Headers

metadata_db = service_database(
    "metadata", METADATA_MIGRATIONS, MetadataBase.metadata, extra_tables=("record_search",)
)
registry_db = service_database("registry", REGISTRY_MIGRATIONS, RegistryBase.metadata)


def _record(local_id: str, kind: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": local_id,
        "type": kind,
        "status": "published",
        "title": {"en": f"{kind} {local_id}"},
        "description": {"en": "A record of the German Node, used to test derived indicators."},
        "keywords": ["test"],
        "license": "cc-by-4.0",
        "creators": [{"name": "Josiah Carberry"}],
    }
    body.update(extra)
    return body


def _course(local_id: str, start: str, participants: int | None) -> dict[str, Any]:
    course: dict[str, Any] = {"start_date": start, "end_date": start, "online": True}
    if participants is not None:
        course["participants"] = participants
    return _record(local_id, "CourseInstance", course=course, training={"level": "beginner"})


CONTROLLED = {
    "level": "controlled",
    "dac": {"name": "DAC", "email": "dac@example.org"},
    "data_use": ["DUO:0000042"],
}
RECORDS = [
    _record("ds-1", "Dataset"),
    _record("ds-2", "Dataset", access=CONTROLLED),
    _record("ds-3", "Dataset", access={"level": "embargoed", "embargo_until": "2099-01-01"}),
    _record("ds-draft", "Dataset", status="draft"),
    _record("tool-1", "Software"),
    _record("tool-2", "Software"),
    _record("tm-1", "TrainingMaterial"),
    _course("course-1", "2025-03-10", 12),
    _course("course-2", "2025-03-20", 8),
    _course("course-3", "2025-05-02", None),
]


@dataclass
class Node:
    metadata: LiveServer
    registry: LiveServer
    impact: Callable[..., Any]


@pytest_asyncio.fixture(loop_scope="session")
async def node(
    metadata_db: str,
    registry_db: str,
    oidc_settings: dict[str, Any],
    tokens: Tokens,
    tmp_path: Path,
    impact_settings: Callable[..., ImpactSettings],
) -> AsyncIterator[Node]:
    metadata = LiveServer(
        create_metadata(
            MetadataSettings(
                database_url=metadata_db,
                data_dir=tmp_path / "metadata",
                node_id="de",
                auto_migrate=False,
                log_json=False,
                **oidc_settings,
            )
        )
    )
    registry = LiveServer(
        create_registry(
            RegistrySettings(
                database_url=registry_db,
                data_dir=tmp_path / "registry",
                auto_migrate=False,
                log_json=False,
                probe_enabled=False,
                webhooks_enabled=False,
                allow_private_targets=True,
                **oidc_settings,
            )
        )
    )
    await metadata.start()
    await registry.start()
    try:
        admin, node_token = bearer(tokens.admin()), bearer(tokens.node("de"))
        async with httpx.AsyncClient(base_url=registry.url, timeout=10) as client:
            body = {"id": "de", "name": "ELIXIR DE", "country": "DE", "client_ids": ["node-de"]}
            assert (await client.post("/api/v1/nodes", json=body, headers=admin)).status_code == 201
            url = "/api/v1/nodes/de/services/metadata"
            service = {"base_url": metadata.url, "api_version": "1.0.0"}
            assert (await client.put(url, json=service, headers=node_token)).status_code == 201
            assert (await client.post(url + "/heartbeat", headers=node_token)).status_code == 200
        async with httpx.AsyncClient(base_url=metadata.url, timeout=20) as client:
            for record in RECORDS:
                response = await client.post("/api/v1/records", json=record, headers=node_token)
                assert response.status_code == 201, response.text

        def impact(**overrides: Any) -> Any:
            settings = impact_settings(
                metadata_url=metadata.url,
                registry_url=registry.url,
                client_id="node-de",
                client_secret="node-de-secret",
                metadata_audience=AUDIENCE,
                **overrides,
            )
            return asgi_client(create_app(settings))

        yield Node(metadata, registry, impact)
    finally:
        await metadata.stop()
        await registry.stop()


async def _truth(node: Node, headers: Headers) -> dict[str, Any]:
    """What the metadata service itself says: every record as a steward sees it, and FAIR."""
    async with httpx.AsyncClient(base_url=node.metadata.url, timeout=20) as client:
        records = (
            await client.get("/api/v1/records", params={"limit": 100}, headers=headers)
        ).json()["items"]
        fair = (await client.get("/api/v1/fair/summary")).json()
    return {"records": records, "fair": fair}


def _derived(items: list[dict[str, Any]]) -> dict[tuple[str, str], float]:
    return {(d["indicator"], d["period"]): d["value"] for d in items}


class TestRefresh:
    async def test_roles(
        self, node: Node, admin: Headers, steward: Headers, other_node: Headers
    ) -> None:
        async with node.impact() as api:
            assert (await api.post("/api/v1/derived/refresh")).status_code == 401
            assert (await api.post("/api/v1/derived/refresh", headers=steward)).status_code == 403
            assert (
                await api.post("/api/v1/derived/refresh", headers=other_node)
            ).status_code == 403
            assert (await api.get("/api/v1/derived/refresh")).status_code == 404
            done = await api.post("/api/v1/derived/refresh", headers=admin)
            assert done.status_code == 200
            assert (await api.get("/api/v1/derived/refresh")).json() == done.json()

    async def test_values_match_the_metadata_services_content(
        self, node: Node, admin: Headers
    ) -> None:
        truth = await _truth(node, admin)
        async with node.impact() as api:
            report = (await api.post("/api/v1/derived/refresh", headers=admin)).json()
            outcomes = {s["source"]: s["status"] for s in report["sources"]}
            assert outcomes == {
                "metadata.stats": "ok",
                "metadata.fair": "ok",
                "registry.availability": "ok",
                "usage": "ok",
            }, report
            items = (await api.get("/api/v1/derived")).json()
        derived = _derived(items)
        month = datetime.now(UTC).strftime("%Y-%m")
        published = [r for r in truth["records"] if r["status"] == "published"]
        by_type = Counter(r["type"] for r in published)
        assert derived[("records.datasets.published", month)] == by_type["Dataset"] == 3
        assert derived[("records.tools.published", month)] == by_type["Software"] == 2
        assert derived[("records.training.published", month)] == (
            by_type["TrainingMaterial"] + by_type["CourseInstance"]
        )
        levels = Counter(r["access"]["level"] for r in published)
        for level in ("public", "controlled", "embargoed"):
            assert derived[(f"records.access.{level}", month)] == levels[level]
        assert derived[("fair.score.mean", month)] == truth["fair"]["mean_score"]
        bands = (
            derived[("fair.records.low", month)]
            + derived[("fair.records.medium", month)]
            + derived[("fair.records.high", month)]
        )
        assert bands == truth["fair"]["records"]
        courses = [r for r in published if r["type"] == "CourseInstance"]
        starts = Counter(r["course"]["start_date"][:7] for r in courses)
        assert derived[("training.events.held", "2025-03")] == starts["2025-03"] == 2
        assert derived[("training.events.held", "2025-05")] == 1
        assert derived[("training.participants", "2025-03")] == 20
        assert derived[("training.participants", "2025-05")] == 0
        # the metadata service was active from its heartbeat on, and nothing else was observed
        assert derived[("service.availability", month)] == 100.0
        assert not any(code.startswith("usage.") for code, _ in derived)
        for item in items:
            assert item["computed_at"]
            assert item["source"].split(":")[0] in {"metadata", "registry"}

    async def test_series_and_profile_show_derived_values(self, node: Node, admin: Headers) -> None:
        async with node.impact() as api:
            await api.post("/api/v1/derived/refresh", headers=admin)
            series = (
                await api.get(
                    "/api/v1/indicators/training.participants/series",
                    params={"granularity": "quarter", "from": "2025-Q1", "to": "2025-Q4"},
                )
            ).json()
            assert [(p["period"], p["value"], p["source"]) for p in series["points"]] == [
                ("2025-Q1", 20, "derived"),
                ("2025-Q2", 0, "derived"),
            ]
            assert all(p["computed_at"] for p in series["points"])
            profile = (await api.get("/api/v1/profile", params={"period": "2025"})).json()
            skills = next(p for p in profile["pathways"] if p["pathway"] == "skills_development")
            assert {i["code"]: i["value"] for i in skills["indicators"]}[
                "training.events.held"
            ] == 3

    async def test_a_new_record_shows_after_the_next_refresh(
        self, node: Node, admin: Headers
    ) -> None:
        month = datetime.now(UTC).strftime("%Y-%m")
        async with node.impact() as api:
            await api.post("/api/v1/derived/refresh", headers=admin)
            async with httpx.AsyncClient(base_url=node.metadata.url, timeout=10) as client:
                response = await client.post(
                    "/api/v1/records", json=_record("ds-4", "Dataset"), headers=admin
                )
                assert response.status_code == 201
            before = _derived((await api.get("/api/v1/derived")).json())
            assert before[("records.datasets.published", month)] == 3
            await api.post("/api/v1/derived/refresh", headers=admin)
            after = _derived((await api.get("/api/v1/derived")).json())
            assert after[("records.datasets.published", month)] == 4

    async def test_a_source_that_fails_keeps_its_values(self, node: Node, admin: Headers) -> None:
        month = datetime.now(UTC).strftime("%Y-%m")
        async with node.impact() as api:
            await api.post("/api/v1/derived/refresh", headers=admin)
        await node.metadata.stop()
        try:
            async with node.impact() as api:
                report = (await api.post("/api/v1/derived/refresh", headers=admin)).json()
                outcomes = {s["source"]: s["status"] for s in report["sources"]}
                assert outcomes["metadata.stats"] == "error"
                assert outcomes["metadata.fair"] == "error"
                assert outcomes["registry.availability"] == "ok"
                kept = _derived((await api.get("/api/v1/derived")).json())
                assert kept[("records.datasets.published", month)] == 3
        finally:
            await node.metadata.start()

    async def test_without_sources_nothing_is_invented(
        self, impact_settings: Callable[..., ImpactSettings], admin: Headers
    ) -> None:
        async with asgi_client(create_app(impact_settings())) as api:
            report = (await api.post("/api/v1/derived/refresh", headers=admin)).json()
            outcomes = {s["source"]: (s["status"], s["values"]) for s in report["sources"]}
            # no metadata service or registry configured; no usage processed yet
            assert outcomes.pop("usage") == ("ok", 0)
            assert {status for status, _ in outcomes.values()} == {"skipped"}
            assert (await api.get("/api/v1/derived")).json() == []

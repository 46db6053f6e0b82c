"""End to end: reads of a real metadata service become events, the impact service pulls them
with its own client-credentials token, and the DSR counts them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from converge_common.db import Database
from converge_common.testing.asgi import asgi_client
from converge_common.testing.plugin import AUDIENCE, Tokens, bearer, service_database
from converge_impact.settings import ImpactSettings
from converge_impact.usage.feed import FeedError, FeedPuller, puller_from_settings
from converge_metadata.app import MIGRATIONS as METADATA_MIGRATIONS
from converge_metadata.app import create_app as create_metadata_app
from converge_metadata.models import Base as MetadataBase
from converge_metadata.settings import MetadataSettings
from pydantic import SecretStr

from tests.impact.usage.logs import CURL, FIREFOX, GOOGLEBOT
from tests.impact.usage.test_counter_rules import counts_of, metrics
from tests.metadata.conftest import dataset

metadata_db = service_database(
    "metadata", METADATA_MIGRATIONS, MetadataBase.metadata, extra_tables=("record_search",)
)
METADATA = "http://metadata.test"


def _puller(settings: ImpactSettings, client: httpx.AsyncClient, **overrides: Any) -> FeedPuller:
    configured = settings.model_copy(
        update={
            "metadata_url": METADATA,
            "client_id": "node-de",
            "client_secret": SecretStr("node-de-secret"),
            "metadata_audience": AUDIENCE,
            **overrides,
        }
    )
    puller = puller_from_settings(configured, client)
    assert puller is not None
    return puller


async def test_reads_are_pulled_and_counted(
    metadata_db: str,
    impact_settings: ImpactSettings,
    impact_api: httpx.AsyncClient,
    impact_database: Database,
    oidc_settings: dict[str, Any],
    tokens: Tokens,
    tmp_path: Path,
) -> None:
    metadata_settings = MetadataSettings(
        database_url=metadata_db,
        data_dir=tmp_path,
        node_id="de",
        auto_migrate=False,
        log_json=False,
        usage_feed_lag_s=0.0,
        usage_flush_interval_s=3600.0,
        **oidc_settings,
    )
    app = create_metadata_app(metadata_settings)
    async with asgi_client(app, base_url=METADATA) as metadata:
        steward = bearer(tokens.node("de"))
        created = await metadata.post("/api/v1/records", json=dataset(), headers=steward)
        assert created.status_code == 201
        software = dataset(id="tool", type="Software", dataset=None)
        assert (
            await metadata.post("/api/v1/records", json=software, headers=steward)
        ).status_code == 201
        for _ in range(3):  # one reader: a chain of double clicks, one investigation
            await metadata.get("/api/v1/records/mouse-atlas", headers={"User-Agent": FIREFOX})
        await metadata.get("/records/mouse-atlas", headers={"User-Agent": FIREFOX})
        await metadata.get(
            "/api/v1/records/mouse-atlas/distributions/0/download", headers={"User-Agent": FIREFOX}
        )
        await metadata.get("/api/v1/records/mouse-atlas", headers={"User-Agent": CURL})
        await metadata.get("/api/v1/records/mouse-atlas", headers={"User-Agent": GOOGLEBOT})
        await metadata.get("/api/v1/records/tool", headers={"User-Agent": FIREFOX})
        await app.state.usage.flush()

        transport = httpx.AsyncHTTPTransport()
        mounts = {f"{METADATA}/": httpx.ASGITransport(app=app)}
        async with httpx.AsyncClient(transport=transport, mounts=mounts) as client:
            puller = _puller(impact_settings, client, usage_pull_page_size=2)
            result = await puller.pull(impact_database)
            assert (result.events, result.counted, result.robots, result.not_datasets) == (
                8,
                6,
                1,
                1,
            )
            assert result.pages == 5  # four full pages of two, then an empty one
            again = await puller.pull(impact_database)
            assert (again.events, again.cursor) == (0, result.cursor)

    month = created.json()["created_at"][:7]
    response = await impact_api.get(
        "/api/v1/reports/dsr", params={"begin_date": month, "end_date": month}
    )
    counts = counts_of(response.json())
    # the three API reads are one (double clicks), the landing page another resource, the
    # download both a request and an investigation
    assert counts == {
        ("de:mouse-atlas", "Regular"): {month: metrics(3, 1, 1, 1)},
        ("de:mouse-atlas", "Machine"): {month: metrics(1, 1)},
    }
    item = response.json()["Report_Datasets"][0]
    assert item["Dataset_Title"] == "Mouse brain atlas"
    assert {"Type": "DOI", "Value": "10.5281/zenodo.1234"} in item["Dataset_ID"]


async def test_a_wrong_nodes_token_is_refused_and_nothing_is_stored(
    metadata_db: str,
    impact_settings: ImpactSettings,
    impact_database: Database,
    impact_api: httpx.AsyncClient,
    oidc_settings: dict[str, Any],
    tmp_path: Path,
) -> None:
    metadata_settings = MetadataSettings(
        database_url=metadata_db, data_dir=tmp_path, node_id="de", auto_migrate=False,
        log_json=False, **oidc_settings,
    )  # fmt: skip
    app = create_metadata_app(metadata_settings)
    async with asgi_client(app, base_url=METADATA):
        mounts = {f"{METADATA}/": httpx.ASGITransport(app=app)}
        async with httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(), mounts=mounts) as client:
            puller = _puller(
                impact_settings,
                client,
                client_id="node-fi",
                client_secret=SecretStr("node-fi-secret"),
            )
            with pytest.raises(FeedError, match="HTTP 403"):
                await puller.pull(impact_database)
    listed = (await impact_api.get("/api/v1/reports")).json()[0]
    assert listed["First_Month_Available"] is None

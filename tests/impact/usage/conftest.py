from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest_asyncio
from converge_common.db import Database
from converge_common.testing.asgi import asgi_client
from converge_common.testing.plugin import service_database
from converge_impact.app import MIGRATIONS, create_app
from converge_impact.models import Base
from converge_impact.settings import ImpactSettings

impact_db = service_database("impact", MIGRATIONS, Base.metadata)


@pytest_asyncio.fixture(loop_scope="session")
async def impact_settings(
    impact_db: str, tmp_path: Path, oidc_settings: dict[str, Any]
) -> ImpactSettings:
    return ImpactSettings(
        database_url=impact_db,
        data_dir=tmp_path,
        node_id="de",
        node_name="ELIXIR Germany",
        auto_migrate=False,
        log_json=False,
        **oidc_settings,
    )


@pytest_asyncio.fixture(loop_scope="session")
async def impact_api(impact_settings: ImpactSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(create_app(impact_settings)) as client:
        yield client


@pytest_asyncio.fixture(loop_scope="session")
async def impact_database(impact_db: str) -> AsyncIterator[Database]:
    db = Database.from_url(impact_db)
    try:
        yield db
    finally:
        await db.dispose()

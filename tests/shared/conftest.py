from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest_asyncio
from converge_common.testing.asgi import asgi_client
from converge_common.testing.plugin import service_database

from tests.shared.harness import Base, HarnessSettings, create_harness_app

harness_db = service_database("harness", None, Base.metadata)  # type: ignore[arg-type]


@pytest_asyncio.fixture(loop_scope="session")
async def harness_settings(harness_db: str, tmp_path: Any) -> HarnessSettings:
    return HarnessSettings(database_url=harness_db, data_dir=tmp_path, log_json=False)


@pytest_asyncio.fixture(loop_scope="session")
async def harness(harness_settings: HarnessSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(create_harness_app(harness_settings)) as client:
        yield client

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest_asyncio
from converge_common.testing.asgi import asgi_client
from converge_metadata.app import create_app
from converge_metadata.settings import MetadataSettings


@pytest_asyncio.fixture(loop_scope="session")
async def ws_settings(
    metadata_db: str, tmp_path: Path, workspace_settings: dict[str, Any]
) -> MetadataSettings:
    return MetadataSettings(
        database_url=metadata_db,
        data_dir=tmp_path,
        node_id="de",
        node_name="Germany",
        auto_migrate=False,
        log_json=False,
        **workspace_settings,
    )


@pytest_asyncio.fixture(loop_scope="session")
async def browser(ws_settings: MetadataSettings) -> AsyncIterator[httpx.AsyncClient]:
    """The metadata service as a browser sees it: cookies kept, redirects not followed."""
    async with asgi_client(create_app(ws_settings), base_url="http://127.0.0.1") as client:
        yield client

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from converge_common.testing.asgi import asgi_client
from converge_common.testing.plugin import Tokens, bearer, service_database
from converge_metadata.app import MIGRATIONS, create_app
from converge_metadata.models import Base
from converge_metadata.settings import MetadataSettings
from converge_metadata.vocab import Vocabularies, default_data_dir, load_vocabularies

metadata_db = service_database(
    "metadata", MIGRATIONS, Base.metadata, extra_tables=("record_search",)
)


@pytest.fixture(scope="session")
def vocab() -> Vocabularies:
    return load_vocabularies(default_data_dir())


@pytest_asyncio.fixture(loop_scope="session")
async def settings(
    metadata_db: str, tmp_path: Path, oidc_settings: dict[str, Any]
) -> MetadataSettings:
    return MetadataSettings(
        database_url=metadata_db,
        data_dir=tmp_path,
        node_id="de",
        auto_migrate=False,
        log_json=False,
        **oidc_settings,
    )


@pytest_asyncio.fixture(loop_scope="session")
async def api(settings: MetadataSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(create_app(settings)) as client:
        yield client


@pytest.fixture
def steward(tokens: Tokens) -> dict[str, str]:
    return bearer(tokens.node("de"))


def dataset(**overrides: Any) -> dict[str, Any]:
    """A valid Dataset record body; keyword arguments replace top-level fields."""
    body: dict[str, Any] = {
        "id": "mouse-atlas",
        "type": "Dataset",
        "status": "published",
        "title": {"en": "Mouse brain atlas", "de": "Mausgehirnatlas"},
        "description": {"en": "Single-cell expression of the adult mouse brain."},
        "keywords": ["single-cell", "brain"],
        "topics": ["topic_3308"],
        "license": "cc-by-4.0",
        "creators": [
            {"name": "Josiah Carberry", "orcid": "0000-0002-1825-0097", "affiliation": "Brown"}
        ],
        "issued": "2023-05-01",
        "identifiers": [{"scheme": "doi", "value": "https://doi.org/10.5281/zenodo.1234"}],
        "dataset": {
            "organisms": ["10090"],
            "distributions": [
                {
                    "download_url": "https://example.org/atlas.h5ad",
                    "media_type": "application/x-hdf5",
                    "byte_size": 1024,
                }
            ],
        },
    }
    body.update(overrides)
    return body

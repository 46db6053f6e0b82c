from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from converge_common.db import Database
from converge_metadata.importers.common import MappingContext
from converge_metadata.importers.service import mapping_context
from converge_metadata.vocab import Vocabularies
from sqlalchemy import text

DATA = Path(__file__).resolve().parents[3] / "data"
BIOTOOLS = sorted((DATA / "biotools" / "data").glob("*/*.biotools.json"))
DATACITE = sorted((DATA / "datacite" / "kernel-4" / "example").glob("*.xml"))
BIOSCHEMAS = sorted(p for p in (DATA / "bioschemas").rglob("*.json*"))
# listed in data/bioschemas/README.md as not valid JSON upstream
BROKEN_BIOSCHEMAS = {
    "DataCatalog/examples/0.1-0.2-DRAFT/BioStudies_jsonld.json",
    "DataCatalog/examples/0.1-0.2-DRAFT/bbmri-eric-ID-CZ_MMCI_jsonld.json",
    "DataCatalog/examples/0.1-0.2-DRAFT/wormbase.json",
    "Sample/examples/0.2_examples/impc_sample_example.json",
    "Study/examples/0.2-DRAFT/Metaboights_Study_MTBLS1217.json",
}

# nested deep enough to take the stack (objects, json) or, at this depth, 10 s and 50 MB (arrays,
# ijson: quadratic, gigabytes further on) without the depth check
DEEP_ARRAY = b"[" * 3000 + b"]" * 3000
DEEP_OBJECT = b'{"a":' * 100_000 + b"1" + b"}" * 100_000


@pytest.fixture(scope="session")
def ctx(vocab: Vocabularies) -> MappingContext:
    return mapping_context(vocab)


@pytest_asyncio.fixture(loop_scope="session")
async def db(metadata_db: str) -> AsyncIterator[Database]:
    database = Database.from_url(metadata_db)
    try:
        yield database
    finally:
        await database.dispose()


async def count(db: Database, table: str) -> int:
    async with db.engine.connect() as conn:
        return int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())

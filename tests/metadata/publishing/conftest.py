"""Fixtures of the publication tests: a migrated database holding the sample records, the app
on it, and the official validators loaded offline."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from converge_common.db import Database
from converge_common.testing.asgi import asgi_client
from converge_metadata.app import create_app
from converge_metadata.settings import MetadataSettings
from lxml import etree

from tests.metadata.publishing.sample import all_samples, delete_record, store

CONFORMANCE = Path(__file__).resolve().parents[2] / "conformance"


@pytest_asyncio.fixture(loop_scope="session")
async def database(metadata_db: str) -> AsyncIterator[Database]:
    db = Database.from_url(metadata_db)
    try:
        yield db
    finally:
        await db.dispose()


@pytest_asyncio.fixture(loop_scope="session")
async def seeded(database: Database) -> Database:
    """Every sample record stored, and one deleted after publication (a tombstone)."""
    async for session in database.session():
        await store(session, all_samples())
        await delete_record(session, "was-deleted", at=datetime(2024, 4, 1, tzinfo=UTC))
    return database


def make_settings(url: str, tmp_path: Path, **overrides: Any) -> MetadataSettings:
    return MetadataSettings(
        database_url=url,
        data_dir=tmp_path,
        auto_migrate=False,
        log_json=False,
        node_id="de",
        node_name="ELIXIR Germany",
        public_url="https://metadata.de.example.org",
        admin_email="helpdesk@de.example.org",
        **overrides,
    )


@pytest_asyncio.fixture(loop_scope="session")
async def client(
    metadata_db: str, seeded: Database, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(make_settings(metadata_db, tmp_path, oai_page_size=50, dcat_page_size=40))
    async with asgi_client(app) as http:
        yield http


class _LocalXmlXsd(etree.Resolver):
    def resolve(self, system_url: str, public_id: str, context: Any) -> Any:
        if system_url.endswith("xml.xsd"):
            return self.resolve_filename(str(CONFORMANCE / "oai-pmh" / "xml.xsd"), context)
        return None


_WRAPPER = """<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:import namespace="http://www.openarchives.org/OAI/2.0/" schemaLocation="{oai}/OAI-PMH.xsd"/>
  <xs:import namespace="http://www.openarchives.org/OAI/2.0/oai_dc/"
             schemaLocation="{oai}/oai_dc.xsd"/>
  <xs:import namespace="http://www.openarchives.org/OAI/2.0/oai-identifier"
             schemaLocation="{oai}/oai-identifier.xsd"/>
  <xs:import namespace="http://datacite.org/schema/kernel-4"
             schemaLocation="{datacite}/metadata.xsd"/>
  <xs:import namespace="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
             schemaLocation="{here}/rdf-lax.xsd"/>
</xs:schema>
"""


@pytest.fixture(scope="session")
def oai_schema() -> etree.XMLSchema:
    """OAI-PMH.xsd with the schemas of every format it embeds (strict ``##other`` content):
    oai_dc, oai-identifier, DataCite kernel-4, and for RDF/XML (which has no official XSD) a
    lax declaration of ``rdf:RDF``."""
    parser = etree.XMLParser()
    parser.resolvers.add(_LocalXmlXsd())
    here = Path(__file__).parent
    text = _WRAPPER.format(
        oai=(CONFORMANCE / "oai-pmh").as_uri(),
        datacite=(CONFORMANCE / "datacite" / "kernel-4").as_uri(),
        here=here.as_uri(),
    )
    doc = etree.fromstring(text.encode(), parser, base_url=str(here / "wrapper.xsd"))
    return etree.XMLSchema(etree.ElementTree(doc))


@pytest.fixture(scope="session")
def datacite_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(CONFORMANCE / "datacite" / "kernel-4" / "metadata.xsd")))

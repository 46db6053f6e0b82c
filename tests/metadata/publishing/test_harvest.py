"""Whole-catalogue harvests: consistent while records change underneath, and by a real
OAI-PMH client (Sickle, over HTTP, against uvicorn on a loopback port)."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn
from converge_common.db import Database
from converge_metadata.app import create_app
from lxml import etree
from sickle import Sickle

from tests.metadata.publishing.conftest import make_settings
from tests.metadata.publishing.oai_helpers import REPO, identifiers, parse_valid, token
from tests.metadata.publishing.sample import biotools_records, delete_record, touch

TOTAL = 207  # visible samples and the tombstone


class TestConsistency:
    async def test_changes_during_a_harvest_skip_nothing(
        self, client: httpx.AsyncClient, seeded: Database, oai_schema: etree.XMLSchema
    ) -> None:
        """Records changed mid-harvest move to the end: those not yet delivered are delivered
        once, those already delivered come again in their new state; nothing is skipped."""
        params = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}
        doc = parse_valid((await client.get("/oai", params=params)).content, oai_schema)
        delivered = identifiers(doc)
        early, late = delivered[0], REPO + str(biotools_records()[-1].id)
        assert late not in delivered
        now = datetime.now(UTC) - timedelta(seconds=5)
        async for session in seeded.session():
            await touch(session, early.removeprefix(REPO), at=now)
            await touch(session, late.removeprefix(REPO), at=now)
            await delete_record(session, "rdm-training", at=now + timedelta(seconds=1))
        for _ in range(20):
            element = token(doc)
            if element is None or not element.text:
                break
            resumed = {"verb": "ListIdentifiers", "resumptionToken": element.text}
            doc = parse_valid((await client.get("/oai", params=resumed)).content, oai_schema)
            delivered += identifiers(doc)
        counts = {i: delivered.count(i) for i in delivered}
        assert len(counts) == TOTAL
        assert counts[early] == 2
        assert counts[late] == 1
        assert delivered[-3:] == [early, late, REPO + "rdm-training"]
        # rdm-training had been delivered before it was deleted: its deletion comes again
        assert {i for i, n in counts.items() if n > 1} == {early, REPO + "rdm-training"}


@pytest.fixture
def live_server(metadata_db: str, seeded: Database, tmp_path: Path) -> Iterator[str]:
    """The metadata service on uvicorn, 127.0.0.1, an ephemeral port, in a thread."""
    app = create_app(make_settings(metadata_db, tmp_path, oai_page_size=50))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            threading.Event().wait(0.05)
        assert server.started
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


class TestSickle:
    async def test_full_harvest_matches_the_catalogue(self, live_server: str) -> None:
        def harvest() -> tuple[list[str], int, list[str]]:
            sickle = Sickle(f"{live_server}/oai", max_retries=1, timeout=30)
            identify = sickle.Identify()
            headers = list(sickle.ListIdentifiers(metadataPrefix="oai_dc"))
            records = list(sickle.ListRecords(metadataPrefix="oai_dc", ignore_deleted=True))
            titles = [r.metadata["title"][0] for r in records]
            ids = [h.identifier for h in headers]
            deleted = [h.identifier for h in headers if h.deleted]
            assert identify.deletedRecord == "persistent"
            return ids, len(records), deleted + titles

        ids, records, rest = await asyncio.to_thread(harvest)
        assert len(ids) == len(set(ids)) == TOTAL
        assert records == TOTAL - 1
        assert rest[0] == REPO + "was-deleted"
        assert "Mouse brain atlas" in rest

    async def test_post_harvest_matches_get(self, live_server: str) -> None:
        # OAI-PMH 2.0 allows every verb as a form-encoded POST
        def harvest(method: str) -> tuple[str, list[str]]:
            sickle = Sickle(f"{live_server}/oai", http_method=method, max_retries=1, timeout=30)
            name = sickle.Identify().repositoryName
            return name, [h.identifier for h in sickle.ListIdentifiers(metadataPrefix="oai_dc")]

        by_post = await asyncio.to_thread(harvest, "POST")
        assert by_post == await asyncio.to_thread(harvest, "GET")
        assert len(by_post[1]) == TOTAL

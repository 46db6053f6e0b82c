"""``/api/v1/imports``: imports as background jobs, with progress, report, CSV and restarts."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest_asyncio
from converge_common.db import Database
from converge_common.testing.asgi import asgi_client
from converge_common.testing.plugin import Tokens, bearer
from converge_metadata.app import create_app
from converge_metadata.importers.jobs import INTERRUPTED, ImportJobRunner
from converge_metadata.models import ImportJob
from converge_metadata.settings import MetadataSettings
from fastapi import FastAPI

from tests.metadata.conftest import dataset
from tests.metadata.importers.conftest import BIOTOOLS

_URL = "/api/v1/imports"
_JSON = {"Content-Type": "application/json"}
_JSONL = {"Content-Type": "application/x-ndjson"}
TOOLS = BIOTOOLS[:12]


def tools_array() -> bytes:
    return b"[" + b",".join(p.read_bytes() for p in TOOLS) + b"]"


@dataclass
class Service:
    app: FastAPI
    client: httpx.AsyncClient

    @property
    def runner(self) -> ImportJobRunner:
        runner: ImportJobRunner = self.app.state.import_jobs
        return runner

    async def finished(
        self, response: httpx.Response, headers: dict[str, str]
    ) -> dict[str, object]:
        """The job a 202 named, read once it has ended."""
        assert response.status_code == 202, response.text
        await self.runner.wait(response.json()["id"])
        job = await self.client.get(response.headers["Location"], headers=headers)
        assert job.status_code == 200, job.text
        body: dict[str, object] = job.json()
        return body


@pytest_asyncio.fixture(loop_scope="session")
async def service(settings: MetadataSettings) -> AsyncIterator[Service]:
    # batches of 5: a file of 12 tools is stored in three transactions
    app = create_app(settings.model_copy(update={"import_batch_size": 5}))
    async with asgi_client(app) as client:
        yield Service(app, client)


async def insert_job(db_url: str, *, status: str, heartbeat_at: datetime) -> str:
    database = Database.from_url(db_url)
    job_id = "ab" * 16
    try:
        async with database.sessionmaker() as session, session.begin():
            session.add(
                ImportJob(
                    id=job_id,
                    status=status,
                    format="biotools",
                    record_status="published",
                    file_name="old.json",
                    byte_size=10,
                    bytes_read=5,
                    records_seen=1,
                    created=1,
                    updated=0,
                    unchanged=0,
                    rejected=0,
                    actor="alice",
                    actor_name=None,
                    error=None,
                    report=None,
                    created_at=heartbeat_at,
                    started_at=heartbeat_at,
                    heartbeat_at=heartbeat_at,
                )
            )
    finally:
        await database.dispose()
    return job_id


class TestAuthorisation:
    async def test_anonymous_other_node_and_no_role_are_refused(
        self, service: Service, tokens: Tokens
    ) -> None:
        for headers, expected in (
            ({}, 401),
            (bearer(tokens.node("fi")), 403),
            (bearer(tokens.nobody()), 403),
        ):
            started = await service.client.post(
                _URL, params={"format": "biotools"}, content=b"[]", headers={**_JSON, **headers}
            )
            assert started.status_code == expected
            listed = await service.client.get(_URL, headers=headers)
            assert listed.status_code == expected
            read = await service.client.get(f"{_URL}/{'0' * 32}", headers=headers)
            assert read.status_code == expected


class TestJob:
    async def test_biotools_file_runs_to_a_report(
        self, service: Service, steward: dict[str, str]
    ) -> None:
        body = tools_array()
        started = await service.client.post(
            _URL,
            params={"format": "biotools", "name": "../tools.biotools.json"},
            content=body,
            headers={**_JSON, **steward},
        )
        assert started.status_code == 202, started.text
        assert started.json()["status"] == "queued"
        assert started.headers["Location"].endswith(f"{_URL}/{started.json()['id']}")
        job = await service.finished(started, steward)
        assert job["status"] == "succeeded"
        assert job["file_name"] == "tools.biotools.json"
        assert (job["created"], job["updated"], job["rejected"]) == (len(TOOLS), 0, 0)
        assert job["records_seen"] == len(TOOLS)
        assert job["bytes_read"] == job["byte_size"] == len(body)
        report = job["report"]
        assert isinstance(report, dict)
        assert (report["imported"], report["created"]) == (len(TOOLS), len(TOOLS))
        # the records are there, written by the steward
        records = (await service.client.get("/api/v1/records", headers=steward)).json()
        assert len(records["items"]) == len(TOOLS)
        tool = records["items"][0]["id"]
        versions = await service.client.get(f"/api/v1/records/{tool}/versions", headers=steward)
        assert versions.json()["items"][0]["action"] == "create"
        # the same file again changes nothing
        again = await service.client.post(
            _URL, params={"format": "biotools"}, content=body, headers={**_JSON, **steward}
        )
        second = await service.finished(again, steward)
        assert (second["unchanged"], second["created"]) == (len(TOOLS), 0)
        # both are listed, newest first, without their reports
        listed = (await service.client.get(_URL, headers=steward)).json()
        assert [j["id"] for j in listed["items"]] == [again.json()["id"], started.json()["id"]]
        assert all("report" not in j for j in listed["items"])

    async def test_rejected_records_in_the_csv(
        self, service: Service, steward: dict[str, str]
    ) -> None:
        body = b"".join(
            json.dumps(r).encode() + b"\n"
            for r in (
                dataset(id="fine"),
                dataset(id="bad-topic", topics=["topic_9999"]),
                dataset(id="=cmd", title={"en": ""}),
            )
        )
        started = await service.client.post(
            _URL, params={"format": "jsonl"}, content=body, headers={**_JSONL, **steward}
        )
        job = await service.finished(started, steward)
        assert (job["created"], job["rejected"]) == (1, 2)
        response = await service.client.get(
            f"{_URL}/{started.json()['id']}/report.csv", headers=steward
        )
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(response.text)))
        counts = {r["rule"]: r["detail"] for r in rows if r["kind"] == "count"}
        assert (counts["created"], counts["rejected"]) == ("1", "2")
        rejected = [r for r in rows if r["kind"] == "rejected"]
        assert {r["position"] for r in rejected} == {"body:2", "body:3"}
        assert any(r["pointer"].startswith("/topics") for r in rejected)
        # a source's text never becomes a spreadsheet formula
        assert all(not r["identifier"].startswith("=") for r in rejected)


class TestChecks:
    async def test_wrong_media_type_is_415(self, service: Service, steward: dict[str, str]) -> None:
        response = await service.client.post(
            _URL, params={"format": "datacite"}, content=b"<x/>", headers={**_JSON, **steward}
        )
        assert response.status_code == 415
        assert response.headers["content-type"] == "application/problem+json"

    async def test_unknown_and_malformed_job_ids(
        self, service: Service, steward: dict[str, str]
    ) -> None:
        assert (await service.client.get(f"{_URL}/{'0' * 32}", headers=steward)).status_code == 404
        malformed = await service.client.get(f"{_URL}/not-a-job", headers=steward)
        assert malformed.status_code == 422
        assert malformed.json()["errors"][0]["pointer"] == "/job_id"

    async def test_a_running_job_refuses_another_upload(
        self, service: Service, steward: dict[str, str], metadata_db: str
    ) -> None:
        running = await insert_job(metadata_db, status="running", heartbeat_at=datetime.now(UTC))
        response = await service.client.post(
            _URL, params={"format": "biotools"}, content=b"[]", headers={**_JSON, **steward}
        )
        assert response.status_code == 409
        assert response.json()["job"] == running
        # a report of a job that has not ended is not there yet
        csv_answer = await service.client.get(f"{_URL}/{running}/report.csv", headers=steward)
        assert csv_answer.status_code == 409


class TestInterruptedJobs:
    async def test_a_job_whose_process_stopped_reads_as_failed(
        self, service: Service, steward: dict[str, str], metadata_db: str
    ) -> None:
        long_ago = datetime.now(UTC) - timedelta(hours=1)
        job_id = await insert_job(metadata_db, status="running", heartbeat_at=long_ago)
        job = (await service.client.get(f"{_URL}/{job_id}", headers=steward)).json()
        assert (job["status"], job["error"]) == ("failed", INTERRUPTED)
        # and no longer blocks a new import
        started = await service.client.post(
            _URL, params={"format": "biotools"}, content=b"[]", headers={**_JSON, **steward}
        )
        assert (await service.finished(started, steward))["status"] == "succeeded"

    async def test_a_restart_marks_interrupted_jobs_failed(
        self, settings: MetadataSettings, metadata_db: str, steward: dict[str, str]
    ) -> None:
        long_ago = datetime.now(UTC) - timedelta(hours=1)
        job_id = await insert_job(metadata_db, status="running", heartbeat_at=long_ago)
        leftover = settings.data_dir / "imports" / f"{job_id}.upload"
        leftover.parent.mkdir(parents=True, exist_ok=True)
        leftover.write_bytes(b"[]")
        # the service starting again sweeps, before anyone asks
        async with asgi_client(create_app(settings)):
            pass
        database = Database.from_url(metadata_db)
        try:
            async with database.sessionmaker() as session:
                job = await session.get(ImportJob, job_id)
        finally:
            await database.dispose()
        assert job is not None
        assert (job.status, job.error) == ("failed", INTERRUPTED)
        assert not leftover.exists()

"""The workspace's import pages: upload, the job's progress and status, the report as a page
and as JSON and CSV downloads, and the form's checks."""

from __future__ import annotations

import csv
import io
import json

import httpx
import pytest
from converge_common.testing.plugin import Tokens
from converge_common.testing.workspace import sign_in
from converge_metadata.importers.jobs import ImportJobRunner
from lxml import html

from tests.metadata.conftest import dataset
from tests.metadata.importers.conftest import BIOTOOLS

IMPORTS = "/workspace/imports"


def _csrf(page: httpx.Response) -> str:
    doc = html.fromstring(page.text)
    (token,) = doc.xpath("//form[@class='upload']//input[@name='csrf_token']/@value")
    return str(token)


@pytest.fixture
async def steward(browser: httpx.AsyncClient) -> httpx.AsyncClient:
    assert (await sign_in(browser, "alice", next_path=IMPORTS)).status_code == 303
    return browser


async def _upload(
    client: httpx.AsyncClient, name: str, content: bytes, **fields: str
) -> httpx.Response:
    token = _csrf(await client.get(IMPORTS))
    data = {"csrf_token": token, "status": "published", **fields}
    return await client.post(IMPORTS, data=data, files={"file": (name, content)})


async def _ended(client: httpx.AsyncClient, answer: httpx.Response) -> str:
    """The job page's path once the job has ended."""
    assert answer.status_code == 303, answer.text
    path = answer.headers["location"]
    runner: ImportJobRunner = client._transport.app.state.import_jobs  # type: ignore[attr-defined]
    await runner.wait(path.rsplit("/", 1)[-1])
    return str(path)


class TestImportPages:
    async def test_a_biotools_file_is_imported_and_reported(
        self, steward: httpx.AsyncClient
    ) -> None:
        content = BIOTOOLS[0].read_bytes()
        # no format chosen: told from the file's name
        path = await _ended(steward, await _upload(steward, BIOTOOLS[0].name, content))
        page = await steward.get(path)
        assert page.status_code == 200
        doc = html.fromstring(page.text)
        counts = dict(
            zip(
                doc.xpath("//dl[@class='counts']/dt/text()"),
                doc.xpath("//dl[@class='counts']/dd/text()"),
                strict=True,
            )
        )
        assert (counts["Created"], counts["Rejected"]) == ("1", "0")
        assert "The import has finished." in page.text
        # a finished job's page has no progress script
        assert doc.xpath("//script") == []
        report = await steward.get(f"{path}/report.json")
        assert report.headers["content-type"] == "application/json"
        assert "attachment" in report.headers["content-disposition"]
        assert json.loads(report.content)["created"] == 1
        # the job is listed on the import page, by the person who started it
        listing = html.fromstring((await steward.get(IMPORTS)).text)
        row = listing.xpath("//table[@class='jobs']/tbody/tr")[0]
        assert row.xpath("string(td[1])") == BIOTOOLS[0].name
        assert row.xpath("string(td[3])") == "Alice Steward"
        assert row.xpath("string(td[4])") == "done"

    async def test_rejected_records_on_the_page_and_in_the_csv(
        self, steward: httpx.AsyncClient
    ) -> None:
        lines = b"".join(
            json.dumps(r).encode() + b"\n"
            for r in (dataset(id="fine"), dataset(id="bad", topics=["topic_9999"]))
        )
        answer = await _upload(steward, "records.jsonl", lines, format="jsonl")
        path = await _ended(steward, answer)
        doc = html.fromstring((await steward.get(path)).text)
        rows = doc.xpath("//table[@class='rejected']/tbody/tr")
        assert [r.xpath("string(td[1])") for r in rows] == ["records.jsonl:2"]
        assert "/topics/0" in rows[0].xpath("string(td[3])")
        table = await steward.get(f"{path}/report.csv")
        assert table.headers["content-type"].startswith("text/csv")
        parsed = list(csv.DictReader(io.StringIO(table.text)))
        assert [r["position"] for r in parsed if r["kind"] == "rejected"] == ["records.jsonl:2"]
        counts = {r["rule"]: r["detail"] for r in parsed if r["kind"] == "count"}
        assert (counts["created"], counts["rejected"]) == ("1", "1")

    async def test_status_json_for_the_progress_script(self, steward: httpx.AsyncClient) -> None:
        path = await _ended(
            steward, await _upload(steward, "one.jsonl", json.dumps(dataset()).encode() + b"\n")
        )
        status = await steward.get(f"{path}/status")
        assert status.status_code == 200
        body = status.json()
        assert (body["status"], body["finished"], body["percent"]) == ("succeeded", True, 100)
        assert "report" not in body


class TestUploadChecks:
    async def test_no_file_and_a_bad_choice_are_shown_at_their_fields(
        self, steward: httpx.AsyncClient
    ) -> None:
        token = _csrf(await steward.get(IMPORTS))
        answer = await steward.post(
            IMPORTS,
            data={"csrf_token": token, "format": "excel", "status": "secret"},
            files={"file": ("", b"")},
        )
        assert answer.status_code == 422
        alert = html.fromstring(answer.text).xpath("//div[@role='alert']//a/@href")
        assert alert == ["#file", "#format", "#status"]

    async def test_a_file_whose_format_cannot_be_told(self, steward: httpx.AsyncClient) -> None:
        answer = await _upload(steward, "notes.txt", b"just some words")
        assert answer.status_code == 422
        assert "Choose the file" in answer.text

    async def test_without_the_csrf_token_nothing_is_imported(
        self, steward: httpx.AsyncClient
    ) -> None:
        answer = await steward.post(
            IMPORTS,
            data={"csrf_token": "forged", "status": "published"},
            files={"file": ("one.jsonl", json.dumps(dataset()).encode())},
        )
        assert answer.status_code == 403
        assert (await steward.get("/api/v1/records/mouse-atlas")).status_code in (401, 404)

    async def test_signed_out_and_other_node(
        self, browser: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        assert (await browser.get(IMPORTS)).status_code == 303
        assert (await sign_in(browser, "olli")).status_code == 303
        assert (await browser.get(IMPORTS)).status_code == 403
        assert (await browser.get(f"{IMPORTS}/{'0' * 32}/status")).status_code == 403

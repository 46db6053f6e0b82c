"""History and import in a real browser (Debian's chromium, Playwright) against a real metadata
service and the real local OpenID provider: a steward reads a record's history and what
changed, restores an earlier version, imports a bio.tools file and reads the report, and
watches a running import's progress page turn into its report (the polling script, under the
strict CSP). axe-core finds no WCAG 2.2 AA violation; screenshots go to
``test-output/workspace/``. SQLite only, as the other browser test of the workspace."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import httpx
from converge_common.db import Database
from converge_common.testing.plugin import Tokens, bearer
from converge_metadata.models import ImportJob

from tests.metadata.conftest import dataset
from tests.metadata.importers.conftest import BIOTOOLS
from tests.metadata.workspace.test_workspace_browser import (  # noqa: F401 - fixtures
    Tab,
    pytestmark,
    service,
    tab,
)


async def _second_version(base: str, tokens: Tokens) -> None:
    headers = bearer(tokens.node("de"))
    async with httpx.AsyncClient(base_url=base, timeout=10) as api:
        current = await api.get("/api/v1/records/mouse-atlas", headers=headers)
        body = dataset(title={"en": "Mouse brain atlas, second edition"})
        body.pop("id")
        response = await api.put(
            "/api/v1/records/mouse-atlas",
            json=body,
            headers={**headers, "If-Match": current.headers["ETag"]},
        )
        assert response.status_code == 200, response.text


async def test_steward_restores_a_version_and_imports_a_file(
    service: str,  # noqa: F811
    tab: Tab,  # noqa: F811
    tokens: Tokens,
) -> None:
    await _second_version(service, tokens)
    page = tab.page
    await tab.sign_in(service, "alice")
    await page.wait_for_url(service + "/workspace/")
    # the history: two versions, the newest first
    await page.goto(service + "/workspace/records/mouse-atlas/history")
    rows = page.locator("table.versions tbody tr")
    assert await rows.count() == 2
    await tab.check("history")
    # what changed in version 2: the title
    await page.get_by_role("link", name="Changes in version 2").click()
    await page.wait_for_url(re.compile(r"diff\?from=1&to=2"))
    change = page.locator("table.diff tbody tr", has_text="Title (en)")
    assert await change.locator("ins").inner_text() == "Mouse brain atlas, second edition"
    await tab.check("history-diff")
    # restore version 1
    await page.get_by_role("link", name="All versions").click()
    await page.get_by_role("button", name="Restore version 1").click()
    await page.wait_for_url(re.compile(r"restored=1"))
    assert "Version 1 was restored as version 3." in await page.get_by_role("status").inner_text()
    assert await rows.count() == 3
    assert "Alice Steward" in await rows.first.inner_text()
    await tab.check("history-restored")
    # import a bio.tools file
    await (
        page.get_by_role("navigation", name="Sections").get_by_role("link", name="Imports").click()
    )
    await page.wait_for_url(service + "/workspace/imports")
    await tab.check("import-form")
    await page.get_by_label("File").set_input_files(str(BIOTOOLS[0]))
    await page.get_by_label("Format").select_option("biotools")
    await page.get_by_role("button", name="Import").click()
    await page.wait_for_url(re.compile(r"/workspace/imports/[0-9a-f]{32}$"))
    # finished at once, or after the progress script has seen it end
    await page.locator("dl.counts").wait_for()
    counts = await page.locator("dl.counts").inner_text()
    assert re.search(r"Created\s+1\b", counts), counts
    assert re.search(r"Rejected\s+0\b", counts), counts
    await tab.check("import-report")
    csv_link = await page.get_by_role("link", name="CSV").get_attribute("href")
    assert csv_link is not None
    download = await page.request.get(service + csv_link)
    assert download.ok
    assert (await download.text()).startswith("kind,position,identifier,pointer,rule,detail")


async def test_progress_page_turns_into_the_report(
    service: str,  # noqa: F811
    tab: Tab,  # noqa: F811
    metadata_db: str,
) -> None:
    job_id = "c0" * 16
    now = datetime.now(UTC)
    database = Database.from_url(metadata_db)
    values: dict[str, Any] = {
        "id": job_id,
        "status": "running",
        "format": "biotools",
        "record_status": "published",
        "file_name": "tools.biotools.json",
        "byte_size": 1000,
        "bytes_read": 400,
        "records_seen": 4,
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "actor": "alice",
        "actor_name": "Alice Steward",
        "created_at": now,
        "started_at": now,
        "heartbeat_at": now,
    }
    try:
        async with database.sessionmaker() as session, session.begin():
            session.add(ImportJob(**values))
        page = tab.page
        await tab.sign_in(service, "alice")
        await page.wait_for_url(service + "/workspace/")
        await page.goto(f"{service}/workspace/imports/{job_id}")
        assert await page.locator("progress").get_attribute("value") == "40"
        # the script hides the reload link while it polls
        assert not await page.get_by_role("link", name="Reload to see how far it got").is_visible()
        await tab.check("import-progress")
        # the job ends: the script notices and the page becomes the report
        report = {"imported": 10, "created": 10, "updated": 0, "unchanged": 0, "drafts": 0}
        async with database.sessionmaker() as session, session.begin():
            job = await session.get(ImportJob, job_id)
            assert job is not None
            job.status, job.report, job.created = "succeeded", report, 10
            job.finished_at = datetime.now(UTC)
        await page.locator("dl.counts").wait_for()
        assert re.search(r"Created\s+10\b", await page.locator("dl.counts").inner_text())
        assert tab.errors == []
    finally:
        await database.dispose()

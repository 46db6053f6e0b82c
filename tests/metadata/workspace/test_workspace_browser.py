"""The workspace in a real browser (Debian's chromium, driven by Playwright) against a real
metadata service and the real local OpenID provider: a steward types their user name on the
provider's sign-in page, lands on the dashboard, filters the records, opens a draft's page and
publishes it from there, and signs out; a steward
of another Node is refused with the explanation page. axe-core finds no WCAG 2.2 AA violation
on any page, and the browser reports no error (a CSP refusal would be one).

Screenshots go to ``test-output/workspace/``. SQLite only: the pages' answers are checked on
both backends by the service-level tests beside this file."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from converge_common.testing.plugin import Tokens, bearer
from converge_common.testing.servers import LiveServer
from converge_metadata.app import create_app
from converge_metadata.settings import MetadataSettings

from tests.browser import Tab, needs_chromium
from tests.metadata.conftest import dataset

pytestmark = needs_chromium


@pytest_asyncio.fixture(loop_scope="session")
async def service(
    db_backend: str,
    metadata_db: str,
    tmp_path: Path,
    workspace_settings: dict[str, Any],
    tokens: Tokens,
) -> AsyncIterator[str]:
    if db_backend != "sqlite":
        pytest.skip("workspace pages: their answers are checked on both backends elsewhere")
    server = LiveServer(None)
    server.app = create_app(
        MetadataSettings(
            database_url=metadata_db,
            data_dir=tmp_path,
            node_id="de",
            node_name="Germany",
            auto_migrate=False,
            log_json=False,
            **{**workspace_settings, "workspace_redirect_uri": f"{server.url}/workspace/callback"},
        )
    )
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as api:
            for body in (
                dataset(),
                dataset(id="draft-atlas", status="draft", title={"en": "Zebrafish atlas"}),
            ):
                response = await api.post(
                    "/api/v1/records", json=body, headers=bearer(tokens.node("de"))
                )
                assert response.status_code == 201, response.text
        yield server.url
    finally:
        await server.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def tab(chromium: Any) -> AsyncIterator[Tab]:
    context = await chromium.new_context(locale="en-GB")
    try:
        yield Tab(await context.new_page(), shots="workspace")
    finally:
        await context.close()


async def test_steward_signs_in_filters_and_signs_out(service: str, tab: Tab) -> None:
    page = tab.page
    await page.goto(service + "/workspace/records")
    # the provider's own sign-in page
    await page.wait_for_url(re.compile(r"/interaction/"))
    assert await page.locator("h1").inner_text() == "Sign in"
    await tab.check("provider-sign-in")
    await page.get_by_label("Username").fill("alice")
    await page.get_by_role("button", name="Sign in").click()
    # back where the steward was going, signed in
    await page.wait_for_url(service + "/workspace/records")
    assert "Alice Steward" in await page.locator("form.account").inner_text()
    assert await page.locator("table.records tbody tr").count() == 2
    await tab.check("records")
    # the dashboard names the draft
    await (
        page.get_by_role("navigation", name="Sections")
        .get_by_role("link", name="Dashboard")
        .click()
    )
    await page.wait_for_url(service + "/workspace/")
    assert await page.locator("h1").inner_text() == "What needs attention"
    drafts = page.locator("section[aria-labelledby=drafts] tbody tr")
    assert await drafts.count() == 1
    assert "Zebrafish atlas" in await drafts.first.inner_text()
    await tab.check("dashboard")
    # filter the list to the drafts
    await (
        page.get_by_role("navigation", name="Sections").get_by_role("link", name="Records").click()
    )
    await page.wait_for_url(service + "/workspace/records")
    await page.get_by_role("checkbox", name="Draft").check()
    await page.get_by_role("button", name="Filter").click()
    await page.wait_for_url(re.compile(r"status=draft"))
    rows = page.locator("table.records tbody tr")
    assert await rows.count() == 1
    assert "Zebrafish atlas" in await rows.first.inner_text()
    assert await page.get_by_role("checkbox", name="Draft").is_checked()
    await tab.check("records-drafts")
    # the draft's own page, and publishing it from there
    await rows.first.get_by_role("link", name="Zebrafish atlas").click()
    await page.wait_for_url(service + "/workspace/records/draft-atlas")
    assert await page.locator("h1").inner_text() == "Zebrafish atlas"
    await tab.check("record-draft")
    await page.get_by_role("button", name="Publish version 1").click()
    await page.wait_for_url(service + "/workspace/records/draft-atlas?done=published")
    assert "Published" in await page.locator("div.notice").inner_text()
    assert await page.get_by_role("link", name="Landing page").count() == 1
    await tab.check("record-published")
    # sign out: the session is gone, the next page asks to sign in again
    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_url(service + "/workspace/signed-out")
    assert await page.locator("h1").inner_text() == "You are signed out"
    await tab.check("signed-out")
    response = await page.request.get(service + "/workspace/", max_redirects=0)
    assert response.status == 303


async def test_a_steward_of_another_node_is_told_why(service: str, tab: Tab) -> None:
    await tab.sign_in(service, "olli")
    page = tab.page
    await page.wait_for_url(service + "/workspace/")
    assert await page.locator("h1").inner_text() == "No access to this workspace"
    text = await page.locator("main").inner_text()
    assert "Olli Steward" in text
    assert "node:fi:steward" in text
    assert "node:de:steward" in text
    await tab.check("refused")

"""The workspace in a real browser (Debian's chromium, driven by Playwright) against a real
metadata service and the real local OpenID provider: a steward types their user name on the
provider's sign-in page, lands on the dashboard, filters the records and signs out; a steward
of another Node is refused with the explanation page. axe-core finds no WCAG 2.2 AA violation
on any page, and the browser reports no error (a CSP refusal would be one).

Screenshots go to ``test-output/workspace/``. SQLite only: the pages' answers are checked on
both backends by the service-level tests beside this file."""

from __future__ import annotations

import os
import re
import shutil
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

from tests.metadata.conftest import dataset

CHROMIUM = os.environ.get("CONVERGE_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[3] / "test-output" / "workspace"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

pytestmark = pytest.mark.skipif(
    not shutil.which(CHROMIUM), reason=f"no chromium at {CHROMIUM} (apt-get install chromium)"
)


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
async def chromium() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            await browser.close()


class Tab:
    """One browser tab that fails the test on any console error and checks each page."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _console(self, message: Any) -> None:
        # a page answered with a 403 on purpose is not an error of the page
        if message.type == "error" and message.location.get("url") != self.page.url:
            self.errors.append(f"{message.text} ({message.location.get('url')})")

    async def check(self, name: str) -> None:
        from axe_playwright_python.async_playwright import Axe

        results = await Axe().run(
            self.page, options={"runOnly": {"type": "tag", "values": WCAG_AA}}
        )
        SHOTS.mkdir(parents=True, exist_ok=True)
        await self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        assert results.violations_count == 0, results.generate_report()
        assert self.errors == [], self.errors

    async def sign_in(self, base: str, account: str) -> None:
        await self.page.goto(base + "/workspace/")
        await self.page.get_by_label("Username").fill(account)
        await self.page.get_by_role("button", name="Sign in").click()


@pytest_asyncio.fixture(loop_scope="session")
async def tab(chromium: Any) -> AsyncIterator[Tab]:
    context = await chromium.new_context(locale="en-GB")
    try:
        yield Tab(await context.new_page())
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

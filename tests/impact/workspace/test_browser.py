"""The impact workspace in a real browser (Debian's chromium, driven by Playwright) against the
real impact service on a socket and the real OpenID provider: a steward signs in, enters a
value with its evidence (meeting a field error first) and submits it; a Node admin validates
it; a steward of another Node is refused. axe-core finds no WCAG 2.2 AA violation on any page
and the browser reports no error (a CSP refusal would be one).

Each person signs in as a person does: the workspace sends the browser to the provider's
sign-in page, where the test types the user name.
Screenshots go to ``test-output/workspace/``."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from converge_common.testing.servers import LiveServer, free_port
from converge_impact.app import create_app
from converge_impact.settings import ImpactSettings

from tests.browser import Tab, needs_chromium

pytestmark = needs_chromium


@pytest.fixture
def sqlite_only(db_backend: str) -> None:
    # the pages call the same service layer the API tests check on both backends
    if db_backend != "sqlite":
        pytest.skip("the browser test runs on SQLite; the pages' logic is tested on both")


@pytest_asyncio.fixture(loop_scope="session")
async def server(
    sqlite_only: None,
    impact_settings: Callable[..., ImpactSettings],
    workspace_settings: dict[str, Any],
) -> AsyncIterator[LiveServer]:
    port = free_port()
    settings = impact_settings(
        **{
            **workspace_settings,
            "public_url": f"http://127.0.0.1:{port}",
            "workspace_redirect_uri": f"http://127.0.0.1:{port}/workspace/callback",
        }
    )
    live = LiveServer(create_app(settings), port=port)
    await live.start()
    try:
        yield live
    finally:
        await live.stop()


class Person(Tab):
    """One browser context signed in as one account."""

    def __init__(self, context: Any, page: Any, base: str) -> None:
        super().__init__(page, shots="workspace")
        self.context = context
        self.base = base
        self.status = 0


@pytest_asyncio.fixture(loop_scope="session")
async def people(chromium: Any, server: LiveServer) -> AsyncIterator[Callable[[str], Any]]:
    contexts: list[Any] = []

    async def open_as(account: str) -> Person:
        """A new browser that opens the workspace and signs in at the provider's page."""
        context = await chromium.new_context(locale="en-GB")
        contexts.append(context)
        page = await context.new_page()
        person = Person(context, page, server.url)
        await page.goto(server.url + "/workspace/")
        await page.get_by_label("Username").fill(account)
        home = re.compile(re.escape(server.url) + r"/workspace/$")
        async with page.expect_navigation(url=home) as navigation:
            await page.get_by_role("button", name="Sign in").click()
        response = await navigation.value
        person.status = response.status if response is not None else 0
        # what the provider's own page logged (its favicon) is not the workspace's
        person.errors.clear()
        return person

    try:
        yield open_as
    finally:
        for context in contexts:
            await context.close()


class TestWorkspaceInTheBrowser:
    async def test_steward_enters_and_submits_admin_validates(
        self, people: Callable[[str], Any], server: LiveServer
    ) -> None:
        alice: Person = await people("alice")
        page = alice.page
        assert alice.status == 200, (page.url, await page.content())
        assert page.url == server.url + "/workspace/"
        assert "Alice Steward" in await page.locator("header .account").inner_text()
        await alice.check("values-empty")

        await page.get_by_role("link", name="Enter a value").first.click()
        await page.wait_for_url(re.compile(r"/workspace/values/new$"))
        await page.get_by_label("Indicator").select_option("staff.fte")
        await page.get_by_label("Period").fill("2025")
        await page.get_by_label("Value", exact=True).fill("12,5")
        await page.get_by_label("Link to the evidence").fill("https://example.org/hr/2025")
        await page.get_by_label("Note on the evidence").fill("Headcount from the HR system")
        await page.get_by_role("button", name="Save as draft").click()
        # the field error, at its field, with what was typed kept
        error = page.locator("#error-value")
        await error.wait_for()
        assert "with a point, not a comma" in await error.inner_text()
        assert await page.get_by_label("Value", exact=True).get_attribute("aria-invalid") == "true"
        assert await page.get_by_label("Note on the evidence").input_value() == (
            "Headcount from the HR system"
        )
        await alice.check("value-field-error")

        await page.get_by_label("Value", exact=True).fill("12.5")
        await page.get_by_role("button", name="Save as draft").click()
        await page.wait_for_url(re.compile(r"/workspace/values/\d+\?done=created$"))
        value_url = page.url.split("?")[0]
        assert await page.locator("h1").inner_text() == "Staff (FTE), 2025"
        assert await page.get_by_role("link", name="https://example.org/hr/2025").count() == 1
        await alice.check("value-draft")

        await page.get_by_role("button", name="Submit for validation").click()
        await page.wait_for_url(re.compile(r"\?done=submit$"))
        assert "submitted" in await page.locator("dd .status").inner_text()
        # a steward sees the value, not the validate button
        assert await page.get_by_role("button", name="Validate", exact=True).count() == 0
        await alice.check("value-submitted")

        dana: Person = await people("dana")
        await dana.page.get_by_role("link", name="Staff (FTE)").first.click()
        await dana.page.wait_for_url(value_url)
        await dana.check("value-to-validate")
        await dana.page.get_by_role("button", name="Validate", exact=True).click()
        await dana.page.wait_for_url(re.compile(r"\?done=validate$"))
        assert "validated" in await dana.page.locator("dd .status").inner_text()
        await dana.check("value-validated")

    async def test_a_steward_of_another_node_is_refused(self, people: Callable[[str], Any]) -> None:
        olli: Person = await people("olli")
        assert olli.status == 403
        assert "steward" in (await olli.page.locator("main").inner_text()).lower()
        await olli.check("refused-other-node")

    async def test_upload_derived_charts_and_report(
        self, people: Callable[[str], Any], tmp_path: Path
    ) -> None:
        dana: Person = await people("dana")
        page = dana.page
        await page.get_by_role("link", name="Upload CSV").click()
        await page.wait_for_url(re.compile(r"/workspace/upload$"))
        await dana.check("upload")
        csv = tmp_path / "values.csv"
        csv.write_text(
            "indicator,period,value,evidence_url,evidence_note\n"
            "funding.external,2025,250000,https://example.org/grants,\n"
            "staff.fte,2025-13,3,,\n"
        )
        await page.get_by_label("CSV file").set_input_files(str(csv))
        await page.get_by_label("Write the rows that pass").check()
        await page.get_by_role("button", name="Upload").click()
        await page.locator("#report-title").wait_for()
        rejected = await page.locator("table.rejections tbody tr").all_inner_texts()
        assert len(rejected) == 1
        assert rejected[0].startswith("3")
        await dana.check("upload-report")
        # the uploaded draft through the workflow (an admin may submit too), then drawn
        await page.locator("section.report a", has_text="External funding, 2025").click()
        await page.get_by_role("button", name="Submit for validation").click()
        await page.wait_for_url(re.compile(r"\?done=submit$"))
        await page.get_by_role("button", name="Validate", exact=True).click()
        await page.wait_for_url(re.compile(r"\?done=validate$"))

        await page.get_by_role("link", name="Derived values").click()
        await page.wait_for_url(re.compile(r"/workspace/derived$"))
        await page.get_by_role("button", name="Recompute now").click()
        await page.wait_for_url(re.compile(r"\?done=refreshed$"))
        await dana.check("derived")

        await page.get_by_role("link", name="Charts").click()
        await page.wait_for_url(re.compile(r"/workspace/charts"))
        await page.get_by_label("Indicator").select_option("funding.external")
        await page.get_by_role("button", name="Draw").click()
        await page.wait_for_url(re.compile(r"indicator=funding.external"))
        assert await page.locator("svg.chart rect").count() == 1
        assert "250,000" in await page.locator("main table").first.inner_text()
        await dana.check("charts")

        await page.get_by_role("link", name="Annual reports").click()
        await page.wait_for_url(re.compile(r"/workspace/reports$"))
        await dana.check("reports")
        async with page.expect_download() as download_info:
            await page.get_by_role(
                "link", name=re.compile(r"Download the report for")
            ).first.click()
        download = await download_info.value
        assert re.fullmatch(r"de-impact-report-\d{4}\.html", download.suggested_filename)
        # opened in the browser, its inline style sheet and chart styles pass its CSP (a refused
        # one would be a console error)
        await page.get_by_role("link", name="open it").first.click()
        await page.wait_for_url(re.compile(r"/api/v1/annual-reports/\d{4}$"))
        heading = page.locator("h1")
        assert (await heading.inner_text()).startswith("Impact report")
        # the style sheet applied: the body is centred with a maximum width
        assert await page.evaluate("getComputedStyle(document.body).maxWidth") != "none"
        assert dana.errors == []

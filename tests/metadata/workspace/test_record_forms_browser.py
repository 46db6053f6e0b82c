"""The record forms in a real browser (Debian's chromium, driven by Playwright) against the real
metadata service on a loopback port: a steward signs in at the real OpenID provider's page,
creates a Dataset with an EDAM topic picked by typing a synonym, sees a field error and fixes
it, publishes, sees the access level's own fields follow the level chosen, edits in a second tab
and meets the conflict page. axe-core finds no WCAG 2.2
AA violation on any page; the browser reports no error (a CSP refusal would be one).

Screenshots go to ``test-output/workspace/``. Runs on SQLite only: the same saves are checked
on both backends by ``test_record_forms.py``."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from converge_common.testing.servers import LiveServer, free_port
from converge_metadata.app import create_app
from converge_metadata.records.fields import orcid_checksum_ok
from converge_metadata.settings import MetadataSettings

from tests.browser import CHROMIUM, Tab, needs_chromium

pytestmark = [
    pytest.mark.oidc,
    needs_chromium,
]


@pytest_asyncio.fixture(loop_scope="session")
async def service(
    db_backend: str, metadata_db: str, tmp_path: Path, workspace_settings: dict[str, Any]
) -> AsyncIterator[str]:
    if db_backend != "sqlite":
        pytest.skip("the record forms' saves are checked on both backends without a browser")
    port = free_port()
    settings = MetadataSettings(
        database_url=metadata_db,
        data_dir=tmp_path,
        node_id="de",
        node_name="Germany",
        auto_migrate=False,
        log_json=False,
        **{
            **workspace_settings,
            "workspace_redirect_uri": f"http://127.0.0.1:{port}/workspace/callback",
        },
    )
    server = LiveServer(create_app(settings), port=port)
    await server.start()
    try:
        yield server.url
    finally:
        await server.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def context(service: str) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield await browser.new_context(locale="en-GB", base_url=service)
        finally:
            await browser.close()


async def _stored(service: str, record_id: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=service, timeout=10) as client:
        response = await client.get(f"/api/v1/records/{record_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


class TestRecordFormsInTheBrowser:
    async def test_create_fix_publish_and_meet_the_conflict(
        self, context: Any, service: str
    ) -> None:
        tab = Tab(await context.new_page(), shots="workspace", own=service)
        page = tab.page
        # signed in on the way, at the real provider's sign-in page
        await page.goto("/workspace/new/Dataset")
        await page.get_by_label("Username").fill("alice")
        await page.get_by_role("button", name="Sign in").click()
        await page.wait_for_url(re.compile(r"/workspace/new/Dataset$"))
        await tab.check("new-dataset")
        await page.get_by_label("Identifier").fill("browser-atlas")
        await page.locator("#f-texts-0-title").fill("Mouse brain atlas")
        # a second language: a row more from the server (no script needed), then tabs
        await page.get_by_role("button", name="Add a language").click()
        new_language = page.get_by_role("tab", name="New language")
        await new_language.click()
        assert await page.locator("#f-texts-0-panel").is_hidden()
        await page.locator("#f-texts-1-lang").fill("de")
        await page.locator("#f-texts-1-title").fill("Mausgehirnatlas")
        await page.get_by_role("tab", name="en").click()
        # the FAIR panel follows the edit: an assessment arrives without a save
        await page.locator("#f-texts-0-description").fill("Single-cell expression, mouse brain.")
        await page.wait_for_selector("#fair-assessment[data-assessed] .fair-result")
        # an EDAM topic by a synonym: type, choose from the suggestions by keyboard
        topic = page.get_by_role("combobox", name="Topic 1")
        await topic.press_sequentially("quantitative prot")
        option = page.get_by_role("option", name=re.compile("Proteomics"))
        await option.wait_for()
        assert "Quantitative proteomics" in await option.inner_text()
        await tab.check("topic-suggestions")
        await topic.press("ArrowDown")
        await topic.press("Enter")
        assert await topic.input_value() == "Proteomics (topic_0121)"
        # a creator with a wrong ORCID check digit: the page says so as soon as it is typed
        await page.locator("#f-creators-0-name").fill("Josiah Carberry")
        orcid = page.get_by_role("textbox", name="ORCID iD")
        await orcid.fill("0000-0002-1825-0098")
        await orcid.press("Tab")
        await page.wait_for_selector("#f-creators-0-orcid-check")
        # the page's check digit is the service's (ISO 7064 MOD 11-2), also for an X
        for orcid_id in ("0000-0002-1825-0097", "0000-0002-1694-233X", "0000-0002-1694-2330"):
            ok = await page.evaluate("(value) => window.convergeOrcidOk(value)", orcid_id)
            assert ok is orcid_checksum_ok(orcid_id.replace("-", "")), orcid_id
        # and the service refuses it, at the field, with a summary that links there
        await page.get_by_role("button", name="Save draft").click()
        summary = page.locator(".error-summary")
        await summary.wait_for()
        await tab.check("field-error")
        await summary.get_by_role("link", name=re.compile("ORCID iD")).click()
        assert await page.evaluate("document.activeElement.id") == "f-creators-0-orcid"
        await page.locator("#f-creators-0-orcid").fill("0000-0002-1825-0097")
        await page.get_by_role("button", name="Publish").click()
        await page.wait_for_url(
            re.compile(r"/workspace/records/browser-atlas/edit\?saved=published")
        )
        assert "Published" in await page.locator("div.notice").inner_text()
        await tab.check("published")
        # the access level's own fields: only the chosen level's are shown (and sent)
        embargo = page.locator("#f-access-embargo_until")
        dac = page.locator("#f-access-dac")
        assert await embargo.is_hidden()
        assert await dac.is_hidden()
        await page.locator("#f-access-level-1").check()  # embargoed
        assert await embargo.is_visible()
        assert await dac.is_hidden()
        await page.locator("#f-access-level-2").check()  # controlled
        assert await embargo.is_hidden()
        assert await dac.is_visible()
        assert await page.locator("#f-access-data_use").is_visible()
        assert await embargo.is_disabled()
        await page.locator("#f-access-level-0").check()  # public again
        assert await dac.is_hidden()
        stored = await _stored(service, "browser-atlas")
        assert stored["status"] == "published"
        assert [t["label"] for t in stored["topics"]] == ["Proteomics"]
        assert stored["title"] == {"en": "Mouse brain atlas", "de": "Mausgehirnatlas"}

        # a second tab saves first
        other = Tab(await context.new_page(), shots="workspace", own=service)
        await other.page.goto("/workspace/records/browser-atlas/edit")
        await other.page.get_by_label("Keywords").fill("from the second tab")
        await other.page.get_by_role("button", name="Save", exact=True).click()
        await other.page.wait_for_url(re.compile(r"saved=saved"))
        # the first tab, still on version 1, meets the conflict page
        await page.get_by_label("Keywords").fill("from the first tab")
        await page.get_by_role("button", name="Save", exact=True).click()
        await page.get_by_role("heading", name="Someone saved this record first").wait_for()
        differs = page.locator("table.conflict tr.differs")
        assert await differs.count() == 1
        assert "from the second tab" in await differs.inner_text()
        await tab.check("conflict")
        # the steward chooses to keep their version, knowingly
        await page.get_by_role("button", name=re.compile("Keep my version")).click()
        await page.wait_for_url(re.compile(r"saved=saved"))
        stored = await _stored(service, "browser-atlas")
        assert (stored["version"], stored["keywords"]) == (3, ["from the first tab"])
        assert tab.errors == []
        assert other.errors == []

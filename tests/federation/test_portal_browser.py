"""The portal in a real browser (Debian's chromium, driven by Playwright) over a real
portal_federation: a reader searches, narrows, pages and reads; axe-core finds no WCAG 2.2 AA
violation on any page; the browser reports no error (a CSP refusal would be one).

Screenshots of every page go to ``test-output/portal/`` (kept by CI). Where chromium is not
installed the tests skip, saying so (``.ci/run`` installs it)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from tests.browser import Tab, needs_chromium
from tests.federation.conftest import Federation

pytestmark = [needs_chromium, pytest.mark.usefixtures("portal_backend")]


class Reader(Tab):
    """A reader's tab on the portal at ``base``."""

    def __init__(self, page: Any, base: str) -> None:
        super().__init__(page, shots="portal")
        self.base = base


@pytest_asyncio.fixture(loop_scope="session")
async def reader(chromium: Any, portal_federation: Federation) -> AsyncIterator[Reader]:
    context = await chromium.new_context(locale="en-GB")
    page = await context.new_page()
    try:
        yield Reader(page, portal_federation.gateway.url)
    finally:
        await context.close()


class TestPortalInTheBrowser:
    async def test_search_narrow_page_and_read(
        self, reader: Reader, portal_federation: Federation
    ) -> None:
        page = reader.page
        await page.goto(reader.base + "/")
        await reader.check("search-front")
        # keyboard only: the skip link first, then the search box
        await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.className") == "skip"
        await page.get_by_label("Search every Node").fill("protein")
        await page.keyboard.press("Enter")
        await page.wait_for_url(re.compile(r"q=protein"))
        hits = await page.locator("ol.hits > li").count()
        # the corpus's 15 protein datasets, and the 3 courses on proteomics (EDAM topic_0121)
        assert hits == 18
        await reader.check("search-results")
        # a facet narrows both the results and the URL
        await page.locator("section.nodes a", has_text="ELIXIR FI").click()
        await page.wait_for_url(re.compile(r"node=fi"))
        assert await page.locator("ol.hits > li").count() == 3
        assert "q=protein" in page.url
        await reader.check("search-narrowed")
        # the record page
        await page.locator("ol.hits h3 a").first.click()
        await page.wait_for_url(re.compile(r"/records/fi:"))
        assert "from FI" in (await page.locator("h1").inner_text())
        await reader.check("record")

    async def test_record_in_finnish(self, chromium: Any, portal_federation: Federation) -> None:
        context = await chromium.new_context(locale="fi-FI")
        try:
            reader = Reader(await context.new_page(), portal_federation.gateway.url)
            await reader.page.goto(reader.base + "/records/fi:fi-browser")
            assert await reader.page.locator("h1").inner_text() == "Järvisedimentin metagenomit"
            assert await reader.page.get_attribute("html", "lang") == "fi"
            await reader.check("record-fi")
            # switching the language is remembered for the next page
            await reader.page.get_by_role("link", name="English").click()
            await reader.page.wait_for_url(re.compile(r"lang=en"))
            assert await reader.page.locator("h1").inner_text() == "Lake sediment metagenomes"
            await reader.page.goto(reader.base + "/")
            assert await reader.page.get_attribute("html", "lang") == "en"
        finally:
            await context.close()

    async def test_empty_result_and_error_pages(self, reader: Reader) -> None:
        await reader.page.goto(reader.base + "/?q=zzzznothing&type=Software")
        assert await reader.page.locator("div.empty").count() == 1
        await reader.check("search-empty")
        await reader.page.goto(reader.base + "/records/de:no-such-record")
        await reader.check("record-not-found")

    async def test_experts_page(self, reader: Reader, portal_federation: Federation) -> None:
        page = reader.page
        await page.goto(reader.base + "/experts")
        assert await page.locator("ol.experts > li").count() == 4
        await reader.check("experts")
        # an EDAM synonym and a language, chosen by keyboard and form
        await page.get_by_label("Expertise or name").fill("quantitative proteomics")
        await page.get_by_role("combobox", name="Language").select_option("pt")
        await page.get_by_label("Expertise or name").press("Enter")
        await page.wait_for_url(re.compile(r"language=pt"))
        assert await page.locator("ol.experts h3").all_inner_texts() == ["Carlos Steward"]
        await reader.check("experts-found")
        # a topic link narrows to the topic
        await page.locator("p.expertise a", has_text="Proteomics").click()
        await page.wait_for_url(re.compile(r"expertise=topic_0121"))
        await page.goto(reader.base + "/experts?q=zebrafish+husbandry")
        assert await page.locator("div.empty").count() == 1
        await reader.check("experts-empty")

    async def test_federation_page(self, reader: Reader) -> None:
        await reader.page.goto(reader.base + "/federation")
        assert await reader.page.locator("section.node-status").count() == 6
        await reader.check("federation")

    async def test_training_filtered_by_date(
        self, reader: Reader, portal_federation: Federation
    ) -> None:
        from tests.federation.courses import day

        page = reader.page
        await page.goto(reader.base + "/training")
        assert await page.locator("ol.courses > li").count() == 3
        await reader.check("training")
        # the date inputs are the filter: choose a range, submit, the URL says it
        await page.get_by_label("Starting from").fill(day(5))
        await page.get_by_label("until").fill(day(20))
        await page.get_by_role("button", name="Show courses").click()
        await page.wait_for_url(re.compile(rf"starts_to={day(20)}"))
        assert await page.locator("ol.courses h3 a").all_inner_texts() == [
            "Proteomics, hands-on; with MaxQuant"
        ]
        await reader.check("training-filtered")


class TestImpactInTheBrowser:
    """The impact pages need impact services registered: a federation of their own."""

    async def test_impact_pages(self, chromium: Any, federation: Federation) -> None:
        from contextlib import AsyncExitStack

        from tests.federation.test_federated_impact import (
            DATASETS,
            FTE,
            IMPACT,
            _gateway_sees,
            _register_impact,
        )
        from tests.gateway.simnode import SimNode

        sims = {n: SimNode(indicators=[DATASETS, FTE], values=v) for n, v in IMPACT.items()}
        context = await chromium.new_context(locale="en-GB")
        async with AsyncExitStack() as stack, federation.client() as client:
            stack.push_async_callback(context.close)
            reader = Reader(await context.new_page(), federation.gateway.url)
            await _register_impact(federation, stack, sims)
            await _gateway_sees(client, set(IMPACT))
            await reader.page.goto(reader.base + "/impact?period=2025")
            await reader.page.locator(f'a[href="/impact/indicators/{DATASETS.code}"]').click()
            await reader.page.wait_for_url(re.compile(DATASETS.code))
            assert await reader.page.locator("svg.chart rect").count() == 1
            await reader.check("impact-indicator")
            await reader.page.goto(reader.base + "/impact?period=2025")
            await reader.check("impact-profile")

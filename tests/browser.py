"""What every browser test shares: Debian's chromium driven by Playwright, a tab that fails the
test on any console error of the page, and the check of each page (axe-core's WCAG 2.2 AA
rules, a screenshot into ``test-output/``).

Playwright's own browser download does not work here: the tests launch the ``chromium`` of the
system (``CONVERGE_CHROMIUM``, default ``/usr/bin/chromium``) and skip, saying so, without it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

__all__ = ["CHROMIUM", "OUTPUT", "WCAG_AA", "Tab", "chromium", "needs_chromium"]

CHROMIUM = os.environ.get("CONVERGE_CHROMIUM", "/usr/bin/chromium")
OUTPUT = Path(__file__).resolve().parents[1] / "test-output"
# the success criteria axe-core checks for WCAG 2.2 AA (and the levels below it)
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

needs_chromium = pytest.mark.skipif(
    not shutil.which(CHROMIUM), reason=f"no chromium at {CHROMIUM} (apt-get install chromium)"
)


@pytest_asyncio.fixture(loop_scope="session")
async def chromium() -> AsyncIterator[Any]:
    """A headless chromium for one test."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            await browser.close()


class Tab:
    """One browser tab that fails the test on any console error and checks each page.

    ``shots``: the folder under ``test-output/`` for its screenshots. ``own``: when given, only
    errors of that origin count (a test OpenID provider's page is not the service's). A page's
    own error status (a 403 refusal, a 422 form, a 409 conflict shown on purpose) is not an
    error of the page."""

    def __init__(self, page: Any, *, shots: str, own: str | None = None) -> None:
        self.page = page
        self.shots = OUTPUT / shots
        self.own = own
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _console(self, message: Any) -> None:
        url = message.location.get("url", "")
        if message.type != "error" or url == self.page.url:
            return
        if self.own is None or url.startswith(self.own):
            self.errors.append(f"{message.text} ({url})")

    async def check(self, name: str) -> None:
        """No axe-core violation, no console error; a full-page screenshot ``<name>.png``."""
        from axe_playwright_python.async_playwright import Axe

        results = await Axe().run(
            self.page, options={"runOnly": {"type": "tag", "values": WCAG_AA}}
        )
        self.shots.mkdir(parents=True, exist_ok=True)
        await self.page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)
        assert results.violations_count == 0, results.generate_report()
        assert self.errors == [], self.errors

    async def sign_in(self, base: str, account: str) -> None:
        """Open a Node's workspace and sign in on the local OpenID provider's page."""
        await self.page.goto(base + "/workspace/")
        await self.page.get_by_label("Username").fill(account)
        await self.page.get_by_role("button", name="Sign in").click()

"""A Node that stops answering, as the portal shows it: its own federation, whose registry
probes every half second, so that the prober's rule can be watched at work in a test."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from converge_common.testing.plugin import Tokens
from converge_gateway.context import STATUS_TTL_S
from converge_registry.settings import RegistrySettings

from tests.browser import CHROMIUM
from tests.federation.conftest import Federation, running_federation
from tests.federation.test_portal_browser import Reader
from tests.federation.test_portal_pages import page, texts

pytestmark = pytest.mark.usefixtures("portal_backend")

PROBE_INTERVAL_S = 0.5
# room for a loaded machine: the prober's round, the gateway following the change feed
SLACK_S = 3.0


@pytest_asyncio.fixture(loop_scope="session")
async def probed_federation(
    registry_db: str,
    node_dbs: dict[str, str],
    oidc_settings: dict[str, Any],
    tokens: Tokens,
    tmp_path: Path,
) -> AsyncIterator[Federation]:
    async with running_federation(
        registry_db=registry_db,
        node_dbs=node_dbs,
        oidc_settings=oidc_settings,
        tokens=tokens,
        tmp_path=tmp_path,
        probe_interval_s=PROBE_INTERVAL_S,
    ) as fed:
        yield fed


def shown_within() -> float:
    """The registry marks a service unreachable after UNREACHABLE_AFTER failed probes: the
    first within one probe interval (± jitter), the others PROBE_CONFIRM_S (at most one
    interval) apart; the gateway keeps the federation's state STATUS_TTL_S."""
    fields = RegistrySettings.model_fields
    after = fields["unreachable_after"].default
    jitter = fields["probe_jitter"].default
    confirm = min(fields["probe_confirm_s"].default, PROBE_INTERVAL_S)
    probes = PROBE_INTERVAL_S + (after - 1) * confirm
    return probes * (1 + jitter) + STATUS_TTL_S + SLACK_S


async def until(check: Callable[[], Awaitable[bool]], *, within: float, what: str) -> None:
    """Ask ``check`` again and again until it holds; fail when ``within`` seconds pass."""
    try:
        async with asyncio.timeout(within):
            while True:
                if await check():
                    return
                await asyncio.sleep(0.1)
    except TimeoutError:
        raise AssertionError(f"{what}: not within {within:.1f} s") from None


def service_row(doc: Any, node: str) -> list[str]:
    row = doc.xpath(f"//section[@aria-labelledby='node-{node}']//tbody/tr")[0]
    return [" ".join(c.text_content().split()) for c in row.xpath("./th|./td")]


class TestAStoppedNode:
    async def test_shown_unreachable_within_the_probe_rule(
        self, probed_federation: Federation
    ) -> None:
        fed = probed_federation
        async with httpx.AsyncClient(base_url=fed.registry.url, timeout=10) as registry:
            detail = (await registry.get("/api/v1/nodes/nl/services/metadata")).json()
        assert detail["state"] == "active"
        # the Node's process ends: no answer, no goodbye to the registry
        fed.bad["nl"].release()
        await fed.bad_servers["nl"].stop()

        async with fed.client() as client:

            async def federation_page_says_unreachable() -> bool:
                _, doc = await page(client, "/federation")
                return service_row(doc, "nl")[:2] == ["metadata", "unreachable"]

            await until(
                federation_page_says_unreachable,
                within=shown_within(),
                what="the federation page showing the stopped Node unreachable",
            )
            _, doc = await page(client, "/federation")
            assert service_row(doc, "de")[:2] == ["metadata", "active"]
            changes = texts(doc, "//section[@aria-labelledby='changes-h']//tbody/tr")
            assert any("ELIXIR NL" in c and "unreachable" in c for c in changes), changes

            # the search strip: the gateway follows the registry and no longer calls it
            async def gateway_passes_it_over() -> bool:
                answer = (await client.get("/api/v1/search", params={"q": "protein"})).json()
                return bool(answer["nodes"]["nl"]["status"] == "skipped")

            await until(gateway_passes_it_over, within=SLACK_S, what="the gateway skipping it")
            _, doc = await page(client, "/?q=protein")
        strip = {
            li.xpath("./a")[0].text_content(): " ".join(li.text_content().split())
            for li in doc.xpath("//section[@class='nodes']//li")
        }
        assert "unreachable" in strip["ELIXIR NL"]
        assert "registry" in strip["ELIXIR NL"]
        assert "answered in" in strip["ELIXIR DE"]
        if shutil.which(CHROMIUM):
            await _in_the_browser(fed)


async def _in_the_browser(fed: Federation) -> None:
    """The federation page as a reader's browser shows it, with axe-core's check."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            reader = Reader(await browser.new_page(locale="en-GB"), fed.gateway.url)
            await reader.page.goto(reader.base + "/federation")
            row = reader.page.locator("section[aria-labelledby='node-nl'] tbody tr").first
            assert (await row.locator("td").first.inner_text()).strip() == "unreachable"
            await reader.check("federation-stopped-node")
        finally:
            await browser.close()

"""The portal's impact pages over a real registry and gateway, with impact services that
answer known values: the figures on the page are the federated API's, per Node and combined."""

from __future__ import annotations

from contextlib import AsyncExitStack

import pytest

from tests.federation.conftest import Federation
from tests.federation.test_federated_impact import (
    DATASETS,
    FTE,
    IMPACT,
    _gateway_sees,
    _register_impact,
)
from tests.federation.test_portal_pages import page, texts
from tests.gateway.simnode import SimNode

pytestmark = pytest.mark.usefixtures("portal_backend")


class TestImpactPages:
    async def test_profile_and_indicator(self, federation: Federation) -> None:
        sims = {n: SimNode(indicators=[DATASETS, FTE], values=v) for n, v in IMPACT.items()}
        sims["nl"] = SimNode(mode="hang")
        async with AsyncExitStack() as stack, federation.client() as client:
            await _register_impact(federation, stack, sims)
            await _gateway_sees(client, {"de", "fi", "pt", "nl"})
            response, doc = await page(client, "/impact?period=2025")
            assert response.status_code == 200
            header = texts(doc, "//section[@aria-labelledby='pw-resource_uptake']//thead//th")
            assert header == ["Indicator", "Federation", "ELIXIR DE", "ELIXIR FI", "ELIXIR PT"]
            row = doc.xpath(f"//tr[th/a[@href='/impact/indicators/{DATASETS.code}']]/td")
            assert [" ".join(c.text_content().split()) for c in row] == ["22", "9", "7", "6"]
            # the rule `latest` takes the most recently validated value (fi's)
            fte = doc.xpath(f"//tr[th/a[@href='/impact/indicators/{FTE.code}']]/td")
            assert fte[0].text_content().strip() == "5"
            # the hanging Node is named, and the figures are said to be incomplete
            warning = " ".join(texts(doc, "//div[@class='warning']"))
            assert "incomplete" in warning
            assert "nl" in warning

            response, doc = await page(client, f"/impact/indicators/{DATASETS.code}?lang=de")
            assert response.status_code == 200
            cells = texts(doc, "//table//tbody/tr[th='2025']/td")
            assert cells == ["22", "9", "7", "6"]
            assert doc.xpath("//svg[@aria-hidden='true']//*[local-name()='rect']")
            # no Node that answered defines it, and one did not answer: not known to be absent
            response, missing = await page(client, "/impact/indicators/no.such.indicator")
            assert response.status_code == 503
            assert missing.get("lang") == "de"  # the choice is remembered

    async def test_period_without_values(self, portal_federation: Federation) -> None:
        async with portal_federation.client() as client:
            response, doc = await page(client, "/impact?period=1999")
        assert response.status_code == 200
        assert doc.xpath("//p[@class='empty']")

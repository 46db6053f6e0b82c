"""The experts page over a real federation: the registry's people with their expertise in
EDAM's words, found by a synonym, narrowed by language and Node, all state in the URL."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.federation.conftest import Federation
from tests.federation.test_portal_pages import page, texts

pytestmark = pytest.mark.usefixtures("portal_backend")


class TestExpertsPage:
    async def test_everyone_with_expertise_links(self, portal_federation: Federation) -> None:
        async with portal_federation.client() as client:
            response, doc = await page(client, "/experts")
        assert response.status_code == 200
        assert texts(doc, "//ol[contains(@class,'experts')]/li//h3") == [
            "Ada Steward",
            "Aino Trainer",
            "Beatriz Proteomics",
            "Carlos Steward",
        ]
        ada = doc.xpath("//ol[contains(@class,'experts')]/li")[0]
        meta = " ".join(ada.xpath(".//p[@class='meta']")[0].text_content().split())
        assert "data steward" in meta
        assert "ELIXIR DE" in meta
        assert ada.xpath(".//a[@href='https://orcid.org/0000-0002-1825-0097']")
        links = {a.text_content(): a.get("href") for a in ada.xpath(".//p[@class='expertise']/a")}
        assert links["Proteomics"] == "/experts?expertise=topic_0121"
        assert "Protein expression" in links
        assert "German, English" in ada.text_content()
        # never an e-mail address
        assert b"example.org" not in response.content
        # the nav names the page
        assert doc.xpath("//header//a[@href='/experts'][@aria-current='page']")

    async def test_a_synonym_finds_stewards_and_filters_stay_in_the_url(
        self, portal_federation: Federation
    ) -> None:
        async with portal_federation.client() as client:
            _, doc = await page(client, "/experts?q=quantitative+proteomics&language=pt")
            assert texts(doc, "//ol[contains(@class,'experts')]/li//h3") == ["Carlos Steward"]
            assert "Proteomics" in " ".join(texts(doc, "//p[@class='q-topics']"))
            assert doc.xpath("//select[@name='language']/option[@value='pt'][@selected]")
            # a topic link keeps the other filters and adds the topic
            href = doc.xpath("//p[@class='expertise']/a")[0].get("href")
            assert sorted(parse_qsl(urlsplit(href).query)) == [
                ("expertise", "topic_0121"),
                ("language", "pt"),
                ("q", "quantitative proteomics"),
            ]
            _, narrowed = await page(client, "/experts?expertise=topic_0121&node=de")
            assert texts(narrowed, "//ol[contains(@class,'experts')]/li//h3") == ["Ada Steward"]
            active = " ".join(texts(narrowed, "//section[@class='active-filters']//a"))
            assert "Expertise: Proteomics" in active
            assert "Node: ELIXIR DE" in active

    async def test_in_portuguese(self, portal_federation: Federation) -> None:
        async with portal_federation.client() as client:
            _, doc = await page(client, "/experts?lang=pt&node=pt")
        carlos = doc.xpath("//ol[contains(@class,'experts')]/li")[-1]
        assert "espanhol, português" in carlos.text_content()
        assert texts(doc, "//h1") == ["Encontrar gestores de dados e formadores em todo o ELIXIR"]

    async def test_an_empty_result_suggests_what_to_change(
        self, portal_federation: Federation
    ) -> None:
        async with portal_federation.client() as client:
            _, doc = await page(client, "/experts?q=zebrafish+husbandry&language=fi")
        empty = doc.xpath("//div[@class='empty']")
        assert empty
        links = [a.get("href") for a in empty[0].xpath(".//a")]
        assert "/experts?language=fi" in links  # without the text
        assert "/experts?q=zebrafish+husbandry" in links  # without the language
        assert "/experts" in links

    async def test_bad_input_is_said_on_the_page(self, portal_federation: Federation) -> None:
        async with portal_federation.client() as client:
            response, doc = await page(client, "/experts?expertise=proteomics")
        assert response.status_code == 422
        assert "/expertise" in " ".join(texts(doc, "//div[@class='problem']//code"))

"""The portal's pages over a real federation: what a reader sees, in their language, and that
nothing a Node sends can become markup or a script."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import lxml.html
import pytest
from converge_common.testing.plugin import bearer

from tests.federation.conftest import Federation

pytestmark = pytest.mark.usefixtures("portal_backend")


async def page(client: httpx.AsyncClient, url: str, **headers: str) -> tuple[httpx.Response, Any]:
    response = await client.get(url, headers=headers)
    assert response.headers["content-type"].startswith("text/html"), response.text
    return response, lxml.html.fromstring(response.content)


def texts(doc: Any, xpath: str) -> list[str]:
    return [" ".join(e.text_content().split()) for e in doc.xpath(xpath)]


class TestSearchPage:
    async def test_the_front_page_searches_every_node(self, federation: Federation) -> None:
        async with federation.client() as client:
            response, doc = await page(client, "/")
            api = (await client.get("/api/v1/search", params={"limit": 20})).json()
        assert response.status_code == 200
        assert doc.xpath("//form[@role='search']//input[@name='q']")
        hits = doc.xpath("//ol[@class='hits']/li//h3/a/@href")
        assert hits == [f"/records/{item['global_id']}" for item in api["items"]]
        # every Node's outcome is named, the failing ones too
        strip = " ".join(texts(doc, "//section[@class='nodes']//li"))
        assert "ELIXIR DE" in strip
        assert "answered in" in strip
        assert "too slow" in strip
        assert "unreachable" in strip
        assert texts(doc, "//p[@class='warning']")

    async def test_a_facet_link_narrows_results_and_url(self, federation: Federation) -> None:
        async with federation.client() as client:
            _, doc = await page(client, "/?q=genome")
            link = doc.xpath("//aside//section[h3='Node']//a | //section[@class='nodes']//a")
            fi = next(a for a in link if a.text_content().strip() == "ELIXIR FI")
            href = fi.get("href")
            assert ("node", "fi") in parse_qsl(urlsplit(href).query)
            assert ("q", "genome") in parse_qsl(urlsplit(href).query)
            response, narrowed = await page(client, href)
        assert response.status_code == 200
        nodes = {a.split(":")[0] for a in narrowed.xpath("//ol[@class='hits']//h3/a/@href")}
        assert nodes == {"/records/fi"}
        # the filter is shown and removable; the removal link goes back to the wider search
        active = narrowed.xpath("//section[@class='active-filters']//a/@href")
        assert "/?q=genome" in active

    async def test_topic_facet_counts_and_filter(self, federation: Federation) -> None:
        async with federation.client() as client:
            _, doc = await page(client, "/?q=protein")
            facet = doc.xpath("//aside//section[h3='Type']//li")
            assert facet, "the type facet is shown"
            link = facet[0].xpath(".//a")[0]
            count = int(facet[0].xpath(".//span[@class='count']")[0].text.replace(",", ""))
            _, narrowed = await page(client, link.get("href"))
        heading = texts(narrowed, "//h2[@id='results-h']")[0]
        assert heading.startswith(f"{count} record")

    async def test_empty_result_suggests_what_to_change(self, federation: Federation) -> None:
        async with federation.client() as client:
            _, doc = await page(client, "/?q=nothingmatchesthis&type=Software")
        empty = doc.xpath("//div[@class='empty']")[0]
        links = empty.xpath(".//a/@href")
        assert "/?q=nothingmatchesthis" in links
        assert "/" in links

    async def test_bad_input_is_said_on_the_page(self, federation: Federation) -> None:
        async with federation.client() as client:
            response, doc = await page(client, "/?node=nowhere")
        assert response.status_code == 400
        assert "nowhere" in " ".join(texts(doc, "//div[@role='alert']"))

    async def test_paging_by_cursor(self, federation: Federation) -> None:
        async with federation.client() as client:
            _, first = await page(client, "/?q=protein&limit=5")
            following = first.xpath("//a[@rel='next']/@href")
            assert following
            _, second = await page(client, following[0])
        one = set(first.xpath("//ol[@class='hits']//h3/a/@href"))
        two = set(second.xpath("//ol[@class='hits']//h3/a/@href"))
        assert one
        assert two
        assert not one & two
        assert second.xpath("//nav[@class='pager']//a[not(@rel)]/@href") == ["/?q=protein&limit=5"]


class TestLanguages:
    @pytest.mark.parametrize(
        ("header", "expected", "word"),
        [
            ("fi-FI,fi;q=0.9,en;q=0.5", "fi", "Haku"),
            ("pt;q=1, de;q=0.5", "pt", "Pesquisa"),
            ("xx, de;q=0.3", "de", "Suche"),
            (None, "en", "Search"),
        ],
    )
    async def test_chosen_from_accept_language(
        self, federation: Federation, header: str | None, expected: str, word: str
    ) -> None:
        headers = {"accept-language": header} if header else {}
        async with federation.client() as client:
            response, doc = await page(client, "/", **headers)
        assert doc.get("lang") == expected
        assert response.headers["content-language"] == expected
        assert word in texts(doc, "//header//nav//a")

    async def test_switched_and_remembered(self, federation: Federation) -> None:
        async with federation.client() as client:
            response, doc = await page(client, "/?q=protein&lang=de", **{"accept-language": "fi"})
            assert doc.get("lang") == "de"
            assert "portal_lang=de" in response.headers["set-cookie"]
            assert "HttpOnly" in response.headers["set-cookie"]
            # the switcher keeps the search
            fi_link = doc.xpath("//nav[@class='languages']//a[@lang='fi']/@href")[0]
            assert dict(parse_qsl(urlsplit(fi_link).query)) == {"q": "protein", "lang": "fi"}
            _, later = await page(client, "/", **{"accept-language": "fi"})
        assert later.get("lang") == "de"

    async def test_numbers_formatted_per_locale(self, federation: Federation) -> None:
        async with federation.client() as client:
            _, doc = await page(client, "/?lang=de")
        heading = texts(doc, "//h2[@id='results-h']")[0]
        assert "Einträge" in heading


class TestRecordPage:
    async def test_the_record_with_its_forms_and_json_ld(self, federation: Federation) -> None:
        global_id = f"de:{federation.seeded['de'][0]}"
        async with federation.client() as client:
            response, doc = await page(client, f"/records/{global_id}")
            linked = (await client.get(f"/api/v1/records/{global_id}?format=jsonld")).json()
        assert response.status_code == 200
        assert texts(doc, "//h1") == ["protein study 0 from DE"]
        scripts = doc.xpath("//script[@type='application/ld+json']/text()")

        assert json.loads(scripts[0]) == linked
        forms = doc.xpath("//section[@aria-labelledby='forms-h']//a/@href")
        assert f"/api/v1/records/{global_id}?format=datacite" in forms
        assert any(href.endswith(f"/records/{federation.seeded['de'][0]}") for href in forms)

    async def test_title_in_the_readers_language(self, federation: Federation) -> None:
        node = federation.nodes["fi"]
        body = {
            "id": "fi-bilingual",
            "type": "Dataset",
            "status": "published",
            "title": {"en": "Birch pollen genomes", "fi": "Koivun siitepölyn genomit"},
            "description": {"en": "English text.", "fi": "Suomenkielinen kuvaus."},
        }

        async with httpx.AsyncClient(base_url=node.url, timeout=10) as client:
            response = await client.post(
                "/api/v1/records", json=body, headers=bearer(federation.tokens.node("fi"))
            )
            assert response.status_code == 201, response.text
        async with federation.client() as client:
            _, fi = await page(client, "/records/fi:fi-bilingual", **{"accept-language": "fi"})
            _, en = await page(client, "/records/fi:fi-bilingual?lang=en")
            _, de = await page(client, "/records/fi:fi-bilingual?lang=de")
        assert texts(fi, "//h1") == ["Koivun siitepölyn genomit"]
        assert "Suomenkielinen kuvaus." in texts(fi, "//div[@class='description']/p")
        assert texts(en, "//h1") == ["Birch pollen genomes"]
        # German falls back to English, and says so
        assert texts(de, "//h1") == ["Birch pollen genomes"]
        assert de.xpath("//h1/@lang") == ["en"]
        # search results too: each title in the reader's language where the record has it
        async with federation.client() as client:
            _, hits_fi = await page(client, "/?q=birch&lang=fi")
            _, hits_de = await page(client, "/?q=birch&lang=de")
        assert texts(hits_fi, "//ol[@class='hits']//h3/a") == ["Koivun siitepölyn genomit"]
        assert hits_fi.xpath("//ol[@class='hits']//h3/a/@lang") == []
        assert hits_de.xpath("//ol[@class='hits']//h3/a/@lang") == ["en"]

    async def test_unknown_record_is_a_404_page(self, federation: Federation) -> None:
        async with federation.client() as client:
            response, doc = await page(client, "/records/de:no-such-record")
            bad, _ = await page(client, "/records/not-an-id")
        assert response.status_code == 404
        assert texts(doc, "//h1") == ["Not found"]
        assert bad.status_code == 404


class TestSafety:
    async def test_record_text_is_escaped_and_links_are_web_links(
        self, federation: Federation
    ) -> None:
        node = federation.nodes["pt"]
        body = {
            "id": "pt-hostile",
            "type": "Dataset",
            "status": "published",
            "title": {"en": "<script>alert(1)</script> hostile"},
            "description": {"en": "</script><img src=x onerror=alert(1)>"},
            "keywords": ["<b>bold</b>"],
        }

        async with httpx.AsyncClient(base_url=node.url, timeout=10) as client:
            response = await client.post(
                "/api/v1/records", json=body, headers=bearer(federation.tokens.node("pt"))
            )
            assert response.status_code == 201, response.text
        async with federation.client() as client:
            response, doc = await page(client, "/records/pt:pt-hostile")
            _, hits = await page(client, "/?q=hostile")
        assert response.status_code == 200
        assert not doc.xpath("//img")
        assert not doc.xpath("//b")
        # the only script is the JSON-LD data block, and the title cannot close it
        assert doc.xpath("//script/@type") == ["application/ld+json"]
        assert b"<script>alert" not in response.content
        assert "<script>alert(1)</script> hostile" in texts(doc, "//h1")[0]
        assert not hits.xpath("//ol[@class='hits']//script | //ol[@class='hits']//img")
        policy = response.headers["content-security-policy"]
        assert "default-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert response.headers["x-content-type-options"] == "nosniff"

    async def test_style_sheet_is_served(self, federation: Federation) -> None:
        async with federation.client() as client:
            response = await client.get("/static/converge.css")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/css")


class TestFederationPage:
    async def test_api_and_page_show_the_registrys_view(self, federation: Federation) -> None:
        async with httpx.AsyncClient(base_url=federation.registry.url, timeout=10) as registry:
            detail = (await registry.get("/api/v1/nodes/de/services/metadata")).json()
            history = (await registry.get("/api/v1/nodes/de/services/metadata/history")).json()
        async with federation.client() as client:
            status = (await client.get("/api/v1/federation")).json()
            response, doc = await page(client, "/federation")
        nodes = {n["id"]: n for n in status["nodes"]}
        assert set(nodes) == {"de", "fi", "pt", "nl", "se", "uk"}
        de = nodes["de"]["services"][0]
        assert de["kind"] == "metadata"
        assert de["state"] == detail["state"] == "active"
        assert de["availability"]["24h"] == detail["availability"]["24h"]["availability"]
        assert [c["to_state"] for c in de["recent"]] == [t["to_state"] for t in history["items"]][
            : len(de["recent"])
        ]
        assert response.status_code == 200
        row = doc.xpath("//section[@aria-labelledby='node-de']//tbody/tr")[0]
        cells = [" ".join(c.text_content().split()) for c in row.xpath("./th|./td")]
        assert cells[:2] == ["metadata", "active"]
        assert cells[2].endswith("%")
        # the chart is drawn, and hidden from screen readers (the table carries its figures)
        chart = doc.xpath("//section[@aria-labelledby='node-de']//svg")[0]
        assert chart.get("aria-hidden") == "true"
        assert chart.xpath(".//*[local-name()='rect']")
        assert doc.xpath("//section[@aria-labelledby='changes-h']//tbody/tr")

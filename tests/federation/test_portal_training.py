"""The training page and its iCalendar feed over a real federation: courses from every Node,
soonest first, filtered by the URL; the feed parsed by a strict RFC 5545 reader."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import lxml.html
import pytest

from tests.federation.conftest import FEDERATION, Federation
from tests.federation.courses import COURSES, day

pytestmark = pytest.mark.usefixtures("portal_backend")


async def page(client: httpx.AsyncClient, url: str) -> tuple[httpx.Response, Any]:
    response = await client.get(url)
    assert response.headers["content-type"].startswith("text/html"), response.text
    return response, lxml.html.fromstring(response.content)


def listed(doc: Any) -> list[str]:
    return [str(h) for h in doc.xpath("//ol[contains(@class, 'courses')]//h3/a/@href")]


# -- a strict iCalendar reader (RFC 5545 sections 3.1, 3.3.11, 3.6.1) -------------------------


def unfold(body: bytes) -> list[str]:
    text = body.decode("utf-8")
    assert text.endswith("\r\n")
    raw = text[:-2].split("\r\n")
    for line in raw:
        assert "\n" not in line, line
        assert "\r" not in line, line
        assert len(line.encode()) <= 75, line
    lines: list[str] = []
    for line in raw:
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def unescape(value: str) -> str:
    out, at = [], 0
    while at < len(value):
        char = value[at]
        if char == "\\":
            following = value[at + 1]
            assert following in "\\;,nN", value
            out.append("\n" if following in "nN" else following)
            at += 2
        else:
            assert char not in ";,", f"unescaped {char!r} in {value!r}"
            out.append(char)
            at += 1
    return "".join(out)


def events(body: bytes) -> list[dict[str, str]]:
    lines = unfold(body)
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-1] == "END:VCALENDAR"
    head = dict(line.split(":", 1) for line in lines[1:] if ":" in line)
    assert head["VERSION"] == "2.0"
    assert head["PRODID"]
    found: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in lines[1:-1]:
        name, value = line.split(":", 1)
        if line == "BEGIN:VEVENT":
            assert current is None
            current = {}
        elif line == "END:VEVENT":
            assert current is not None
            for required in ("UID", "DTSTAMP", "DTSTART"):
                assert any(n.split(";")[0] == required for n in current), (required, current)
            found.append(current)
            current = None
        elif current is not None:
            assert name not in current, f"{name} twice"
            current[name] = (
                unescape(value) if name in ("SUMMARY", "LOCATION", "DESCRIPTION") else value
            )
    assert current is None
    return found


def compact(value: str) -> str:
    return value.replace("-", "")


class TestTrainingPage:
    async def test_upcoming_courses_soonest_first_with_place_and_level(
        self, portal_federation: Federation
    ) -> None:
        async with portal_federation.client() as client:
            response, doc = await page(client, "/training")
        assert response.status_code == 200
        # from today on, across the Nodes, by start date; last year's course is not listed
        assert listed(doc) == [
            "/records/fi:fi-rna",
            "/records/de:de-proteomics",
            "/records/pt:pt-genomes",
        ]
        assert doc.xpath("//input[@type='date'][@name='starts_from']/@value") == [day(0)]
        metas = [" ".join(m.text_content().split()) for m in doc.xpath("//ol//p[@class='meta']")]
        assert "Online" in metas[0]
        assert "Advanced" in metas[0]
        assert "ELIXIR FI" in metas[0]
        assert "Heidelberg, DE" in metas[1]
        assert "Beginner" in metas[1]
        assert "Oeiras, PT" in metas[2]
        assert "also online" in metas[2]
        assert doc.xpath("//nav//a[@href='/training'][@aria-current='page']")
        feed = doc.xpath("//p[@class='feed']/a/@href")[0]
        assert urlsplit(feed).path == "/training.ics"
        assert ("starts_from", day(0)) in parse_qsl(urlsplit(feed).query)

    async def test_each_course_names_its_topics(self, portal_federation: Federation) -> None:
        async with portal_federation.client() as client:
            _, doc = await page(client, "/training?lang=de&online=true")
            rna = doc.xpath("//ol[contains(@class, 'courses')]/li")[0]
            links = rna.xpath(".//p[@class='topics']/a")
            # EDAM's label; EDAM is in English, which the German page says
            assert [a.text_content() for a in links] == ["RNA-Seq"]
            assert links[0].get("lang") == "en"
            # the topic narrows the listing and keeps the other filters
            _, narrowed = await page(client, links[0].get("href"))
        assert dict(parse_qsl(urlsplit(links[0].get("href")).query))["online"] == "true"
        assert listed(narrowed) == ["/records/fi:fi-rna"]

    async def test_filters_live_in_the_url(self, portal_federation: Federation) -> None:
        async with portal_federation.client() as client:
            _, ranged = await page(client, f"/training?starts_from={day(5)}&starts_to={day(20)}")
            _, online = await page(client, "/training?online=true")
            _, on_site = await page(client, "/training?online=false&level=beginner")
            _, advanced = await page(client, "/training?level=advanced")
            _, past = await page(client, f"/training?starts_from={day(-365)}&starts_to={day(0)}")
            _, topic = await page(client, "/training?topic=topic_3170")
        assert listed(ranged) == ["/records/de:de-proteomics"]
        assert listed(online) == ["/records/fi:fi-rna", "/records/pt:pt-genomes"]
        assert listed(on_site) == ["/records/de:de-proteomics"]
        assert listed(advanced) == ["/records/fi:fi-rna"]
        assert listed(past) == ["/records/de:de-old"]
        assert listed(topic) == ["/records/fi:fi-rna"]
        assert online.xpath("//select[@name='online']/option[@selected]/@value") == ["true"]

    async def test_bad_filters_are_said_on_the_page(self, portal_federation: Federation) -> None:
        async with portal_federation.client() as client:
            response, doc = await page(client, "/training?starts_from=soon&level=expert")
            feed = await client.get("/training.ics?online=perhaps")
        assert response.status_code == 422
        problem = " ".join(doc.xpath("//div[@class='problem']")[0].text_content().split())
        assert "/starts_from" in problem
        assert "/level" in problem
        assert feed.status_code == 422
        assert feed.headers["content-type"].startswith("application/problem+json")
        assert feed.json()["errors"][0]["pointer"] == "/online"


class TestTrainingFeed:
    async def test_feed_holds_the_query_as_events(self, portal_federation: Federation) -> None:
        async with portal_federation.client() as client:
            response = await client.get("/training.ics")
            online = await client.get("/training.ics?online=true&level=advanced")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/calendar")
        found = events(response.content)
        federation_id = FEDERATION
        assert [e["UID"] for e in found] == [
            f"fi:fi-rna@{federation_id}",
            f"de:de-proteomics@{federation_id}",
            f"pt:pt-genomes@{federation_id}",
        ]
        rna, proteomics, genomes = found
        # a course with times: UTC date-times; with dates: all-day, DTEND the day after
        assert rna["DTSTART"] == compact(day(3)) + "T080000Z"
        assert rna["DTEND"] == compact(day(3)) + "T153000Z"
        assert rna["LOCATION"] == "Online"
        assert proteomics["DTSTART;VALUE=DATE"] == compact(day(10))
        assert proteomics["DTEND;VALUE=DATE"] == compact(day(13))
        # commas and semicolons survive the escaping
        assert proteomics["SUMMARY"] == "Proteomics, hands-on; with MaxQuant"
        assert proteomics["LOCATION"] == "Heidelberg, DE"
        assert proteomics["URL"].endswith("/records/de:de-proteomics")
        assert "Level: beginner" in proteomics["DESCRIPTION"].split("\n")
        # a long title with accents is folded and read back whole
        assert genomes["SUMMARY"] == COURSES["pt"][0]["title"]["en"]
        assert datetime.strptime(rna["DTSTAMP"], "%Y%m%dT%H%M%SZ").date() >= date(2020, 1, 1)
        assert [e["UID"] for e in events(online.content)] == [f"fi:fi-rna@{federation_id}"]


class TestFederatedCourseSearch:
    async def test_the_gateway_merges_courses_by_start(self, portal_federation: Federation) -> None:
        async with portal_federation.client() as client:
            response = await client.get(
                "/api/v1/search",
                params={"type": "CourseInstance", "sort": "start", "starts_from": day(0)},
            )
            refused = await client.get("/api/v1/search", params={"starts_to": "31.12.2030"})
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        assert [i["global_id"] for i in items] == ["fi:fi-rna", "de:de-proteomics", "pt:pt-genomes"]
        assert items[1]["course"]["location"] == "Heidelberg"
        assert items[1]["course"]["country"] == "DE"
        # refused by the gateway itself, as a Node would, naming the parameter
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["pointer"].endswith("starts_to")

"""The workspace's catalogue pages: the records list (drafts, embargoes, controlled records;
filters as in search; paging) and the dashboard (drafts, embargoes ending, FAIR worklist)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from converge_common.testing.plugin import Tokens, bearer
from converge_common.testing.workspace import sign_in
from lxml import html

from tests.metadata.conftest import dataset

TODAY = datetime.now(UTC).date()
SOON = TODAY + timedelta(days=10)


def _software(local_id: str, title: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": local_id,
        "type": "Software",
        "status": "published",
        "title": {"en": title},
        "description": {"en": "A tool."},
    }
    body.update(overrides)
    return body


async def _seed(api: httpx.AsyncClient, tokens: Tokens) -> None:
    headers = bearer(tokens.node("de"))
    bodies = [
        dataset(),
        dataset(id="draft-atlas", status="draft", title={"en": "Unfinished zebrafish atlas"}),
        dataset(
            id="embargoed-atlas",
            title={"en": "Embargoed rat atlas"},
            access={"level": "embargoed", "embargo_until": SOON.isoformat()},
        ),
        dataset(
            id="controlled-cohort",
            title={"en": "Controlled patient cohort"},
            access={
                "level": "controlled",
                "data_use": ["DUO:0000042"],
                "dac": {"name": "DAC", "email": "dac@example.org"},
            },
        ),
        _software("bare-tool", "Bare aligner", status="draft"),
    ]
    for body in bodies:
        response = await api.post("/api/v1/records", json=body, headers=headers)
        assert response.status_code == 201, response.text


def _titles(page: httpx.Response) -> list[str]:
    doc = html.fromstring(page.text)
    return [t.strip() for t in doc.xpath("//table[@class='records']//tbody/tr/td[1]//text()")]


@pytest.fixture
async def steward(browser: httpx.AsyncClient, tokens: Tokens) -> httpx.AsyncClient:
    await _seed(browser, tokens)
    response = await sign_in(browser, "alice")
    assert response.status_code == 303
    return browser


class TestRecordsList:
    async def test_every_live_record_of_the_node_is_listed(
        self, steward: httpx.AsyncClient
    ) -> None:
        page = await steward.get("/workspace/records")
        assert page.status_code == 200
        assert sorted(_titles(page)) == [
            "Bare aligner",
            "Controlled patient cohort",
            "Embargoed rat atlas",
            "Mouse brain atlas",
            "Unfinished zebrafish atlas",
        ]
        doc = html.fromstring(page.text)
        assert doc.xpath("string(//p[@class='total'])") == "5 records"
        row = doc.xpath("//tr[td[1]//text()='Embargoed rat atlas']")[0]
        assert "Embargoed" in row.xpath("string(td[4])")
        assert "until" in row.xpath("string(td[4])")

    @pytest.mark.parametrize(
        ("query", "titles"),
        [
            ({"status": "draft"}, ["Bare aligner", "Unfinished zebrafish atlas"]),
            ({"type": "Software"}, ["Bare aligner"]),
            ({"access": "controlled"}, ["Controlled patient cohort"]),
            ({"access": "embargoed", "status": "published"}, ["Embargoed rat atlas"]),
            ({"q": "zebrafish"}, ["Unfinished zebrafish atlas"]),
            ({"q": "atlas", "status": "published"}, ["Embargoed rat atlas", "Mouse brain atlas"]),
        ],
    )
    async def test_filters_narrow_the_list(
        self, steward: httpx.AsyncClient, query: dict[str, str], titles: list[str]
    ) -> None:
        page = await steward.get("/workspace/records", params=query)
        assert page.status_code == 200
        assert sorted(_titles(page)) == titles
        doc = html.fromstring(page.text)
        for name, value in query.items():
            if name == "q":
                assert doc.xpath("//input[@name='q']/@value") == [value]
            else:
                assert doc.xpath(f"//input[@name='{name}'][@value='{value}']/@checked")

    async def test_wrong_filters_are_named_on_the_page(self, steward: httpx.AsyncClient) -> None:
        page = await steward.get("/workspace/records", params={"type": "Nope", "status": "gone"})
        assert page.status_code == 422
        problem = html.fromstring(page.text).xpath("string(//div[@class='problem'])")
        assert "/type" in problem
        assert "'Nope' is not one of" in problem
        assert "/status" in problem
        query = await steward.get("/workspace/records", params={"q": "-atlas"})
        assert query.status_code == 422
        assert "/q" in html.fromstring(query.text).xpath("string(//div[@class='problem'])")

    async def test_pages_follow_on(self, steward: httpx.AsyncClient, tokens: Tokens) -> None:
        headers = bearer(tokens.node("de"))
        for n in range(20):
            body = _software(f"tool-{n:02}", f"Tool {n:02}")
            assert (await steward.post("/api/v1/records", json=body, headers=headers)).is_success
        first = await steward.get("/workspace/records", params={"type": "Software"})
        assert len(_titles(first)) == 20
        (next_url,) = html.fromstring(first.text).xpath("//a[@rel='next']/@href")
        assert "type=Software" in next_url
        second = await steward.get(next_url)
        assert second.status_code == 200
        assert len(_titles(second)) == 1
        assert not set(_titles(first)) & set(_titles(second))


class TestDashboard:
    async def test_what_needs_attention(self, steward: httpx.AsyncClient) -> None:
        page = await steward.get("/workspace/")
        assert page.status_code == 200
        doc = html.fromstring(page.text)
        summary = doc.xpath("string(//ul[contains(@class, 'summary')])")
        assert "2 drafts" in summary
        assert "1 embargo ending within 30 days" in summary
        assert "5 records in the catalogue" in summary
        drafts = doc.xpath("//section[@aria-labelledby='drafts']//td[1]//text()")
        assert sorted(drafts) == ["Bare aligner", "Unfinished zebrafish atlas"]
        embargoes = doc.xpath("//section[@aria-labelledby='embargoes']//td[1]//text()")
        assert embargoes == ["Embargoed rat atlas"]
        # the bare draft tool scores lowest, with the hints that would raise it
        worst = doc.xpath("//ol[@class='worklist']/li")[0]
        assert worst.xpath("string(h3)").strip() == "Bare aligner"
        hints = worst.xpath("string(ul)")
        assert "Persistent identifier" in hints
        assert "Publish the record" in hints
        gaps = doc.xpath("//table[@class='gaps']/tbody/tr/td[1]/text()")
        assert "Persistent identifier" in gaps
        # what only the operator can change (the Node's URL is http here) is told apart
        assert "Retrievable by a standard, secure protocol" not in gaps
        assert "Retrievable by a standard" not in hints
        assert "CONVERGE_METADATA_PUBLIC_URL" in doc.xpath("string(//p[@class='note'])")

    async def test_embargo_horizon(self, steward: httpx.AsyncClient) -> None:
        near = await steward.get("/workspace/", params={"days": "5"})
        assert near.status_code == 200
        doc = html.fromstring(near.text)
        assert not doc.xpath("//section[@aria-labelledby='embargoes']//td")
        assert "0 embargoes ending within 5 days" in doc.xpath(
            "string(//ul[contains(@class, 'summary')])"
        )
        wrong = await steward.get("/workspace/", params={"days": "0"})
        assert wrong.status_code == 422
        assert "/days" in html.fromstring(wrong.text).xpath("string(//div[@class='problem'])")


async def test_another_nodes_steward_is_refused_the_records(
    browser: httpx.AsyncClient,
) -> None:
    await sign_in(browser, "bob")
    page = await browser.get("/workspace/records")
    assert page.status_code == 403
    assert "No access to this workspace" in page.text

"""The workspace's record page through the real app, signed in through the real OpenID provider:
what a steward reads of a draft, a published controlled record and an embargoed one; publishing
a draft with the ETag the page showed (and not when someone changed it since); unknown and
deleted records answered with pages, not JSON; another Node's steward refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from converge_common.testing.plugin import Tokens, bearer
from converge_common.testing.workspace import sign_in
from lxml import html

from tests.metadata.conftest import dataset

pytestmark = pytest.mark.oidc

TODAY = datetime.now(UTC).date()
SOON = TODAY + timedelta(days=10)
DRAFT = "/workspace/records/draft-atlas"


def page(response: httpx.Response) -> Any:
    return html.fromstring(response.text)


def facts(doc: Any, section: str) -> dict[str, str]:
    """The ``dt``/``dd`` pairs of a section, as text."""
    found = doc.xpath(f"//section[@aria-labelledby='{section}']//dl")[0]
    terms = [dt.text_content().strip() for dt in found.xpath("./dt")]
    return dict(zip(terms, [dd.text_content().strip() for dd in found.xpath("./dd")], strict=True))


async def _seed(api: httpx.AsyncClient, tokens: Tokens) -> None:
    headers = bearer(tokens.node("de"))
    bodies = [
        dataset(
            id="draft-atlas",
            status="draft",
            title={"en": "Unfinished zebrafish atlas", "de": "Unfertiger Zebrafischatlas"},
        ),
        dataset(
            id="controlled-cohort",
            title={"en": "Controlled patient cohort"},
            access={
                "level": "controlled",
                "data_use": ["DUO:0000042"],
                "dac": {"name": "Cohort DAC", "email": "dac@example.org"},
            },
        ),
        dataset(
            id="embargoed-atlas",
            title={"en": "Embargoed rat atlas"},
            access={"level": "embargoed", "embargo_until": SOON.isoformat()},
        ),
    ]
    for body in bodies:
        response = await api.post("/api/v1/records", json=body, headers=headers)
        assert response.status_code == 201, response.text


@pytest.fixture
async def steward(browser: httpx.AsyncClient, tokens: Tokens) -> httpx.AsyncClient:
    await _seed(browser, tokens)
    assert (await sign_in(browser, "alice")).status_code == 303
    return browser


async def stored_record(client: httpx.AsyncClient, tokens: Tokens) -> dict[str, Any]:
    """The draft as the API gives it to the Node's client."""
    answer = await client.get("/api/v1/records/draft-atlas", headers=bearer(tokens.node("de")))
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def publish(
    client: httpx.AsyncClient, shown: httpx.Response, *, etag: str | None = None
) -> httpx.Response:
    """Press the page's Publish button (with another ETag when given)."""
    (form,) = page(shown).xpath("//form[contains(@action, '/publish')]")
    fields = {i.get("name"): i.get("value") for i in form.xpath(".//input")}
    if etag is not None:
        fields["etag"] = etag
    return await client.post(form.get("action"), data=fields)


class TestRecordPage:
    async def test_a_draft(self, steward: httpx.AsyncClient, tokens: Tokens) -> None:
        shown = await steward.get(DRAFT)
        assert shown.status_code == 200
        assert shown.headers["content-type"].startswith("text/html")
        doc = page(shown)
        assert doc.xpath("string(//h1)") == "Unfinished zebrafish atlas"
        assert "Draft" in doc.xpath("string(//p[@class='meta'])")
        # the actions: edit, history, publish with the ETag of the version shown
        links = doc.xpath("//ul[contains(@class, 'record-actions')]//a/@href")
        assert links == [f"{DRAFT}/edit", f"{DRAFT}/history"]
        (form,) = doc.xpath("//form[contains(@action, '/publish')]")
        assert form.xpath(".//input[@name='etag']/@value") == ['"draft-atlas.v1"']
        assert form.xpath(".//input[@name='csrf_token']/@value")[0]
        version = facts(doc, "version")
        assert version["Current version"] == "1"
        stored = await stored_record(steward, tokens)
        assert version["Last changed"].endswith(f" by {stored['modified_by']}")
        assert version["Published"].startswith("Not yet")
        # the languages of its texts, each marked with its language
        assert "In these languages: en, de." in doc.xpath(
            "string(//section[@aria-labelledby='texts'])"
        )
        assert doc.xpath("//table[@class='record-texts']//td[@lang='de']/text()")[0] == (
            "Unfertiger Zebrafischatlas"
        )
        # the type's own part, named as the form names it
        part = facts(doc, "part")
        assert part["Dataset: Organism 1"] == "Mus musculus (10090)"
        assert "Dataset: Distribution 1: Download URL" in part
        about = facts(doc, "about")
        assert about["Keywords"] == "single-cell; brain"
        assert about["Licence (SPDX)"] == "CC-BY-4.0"
        # its FAIR assessment with the hints that would raise it; no public address yet
        failed = doc.xpath("//section[contains(@class, 'record-fair')]//li[@class='failed']")
        assert any("Publish the record" in li.text_content() for li in failed)
        assert not doc.xpath("//ul[@class='public-links']")

    async def test_a_published_controlled_record(self, steward: httpx.AsyncClient) -> None:
        shown = await steward.get("/workspace/records/controlled-cohort")
        assert shown.status_code == 200
        doc = page(shown)
        assert "Published" in doc.xpath("string(//p[@class='meta'])")
        assert not doc.xpath("//form[contains(@action, '/publish')]")
        access = facts(doc, "access")
        assert access["Access level"] == "Controlled access"
        assert "Cohort DAC" in access["Data access committee"]
        assert "dac@example.org" in access["Data access committee"]
        assert "(DUO:0000042)" in access["Data use conditions (GA4GH DUO)"]
        # the public addresses, each of which answers anyone with what it names
        links = doc.xpath("//ul[@class='public-links']//a")
        assert [a.text_content() for a in links] == [
            "Landing page",
            "JSON",
            "Bioschemas JSON-LD",
            "DataCite XML",
            "DCAT-AP (Turtle)",
        ]
        async with httpx.AsyncClient(
            transport=steward._transport, base_url=steward.base_url
        ) as anyone:
            for link in links:
                url = urlsplit(link.get("href"))
                answer = await anyone.get(f"{url.path}?{url.query}" if url.query else url.path)
                assert answer.status_code == 200, link.get("href")
                expected = link.get("type") or "text/html"
                assert answer.headers["content-type"].startswith(expected)

    async def test_an_embargoed_record(self, steward: httpx.AsyncClient) -> None:
        doc = page(await steward.get("/workspace/records/embargoed-atlas"))
        access = facts(doc, "access")
        assert access["Access level"] == "Embargoed"
        assert "10 days left" in access["Embargo ends on"]
        note = doc.xpath("string(//section[@aria-labelledby='public']//p[@class='note'])")
        assert "until the embargo ends" in note
        landing = urlsplit(doc.xpath("//ul[@class='public-links']//a/@href")[0]).path
        async with httpx.AsyncClient(
            transport=steward._transport, base_url=steward.base_url
        ) as anyone:
            assert (await anyone.get(landing)).status_code == 404


class TestPublish:
    async def test_a_draft_is_published_from_its_page(
        self, steward: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        published = await publish(steward, await steward.get(DRAFT))
        assert published.status_code == 303, published.text
        assert published.headers["location"] == f"{DRAFT}?done=published"
        stored = await stored_record(steward, tokens)
        assert (stored["status"], stored["version"]) == ("published", 2)
        doc = page(await steward.get(published.headers["location"]))
        assert "Published" in doc.xpath("string(//div[@class='notice'])")
        assert facts(doc, "version")["Current version"] == "2"
        assert doc.xpath("//ul[@class='public-links']")

    async def test_a_stale_page_publishes_nothing(
        self, steward: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        shown = await steward.get(DRAFT)
        # meanwhile, through the API
        changed = await steward.patch(
            "/api/v1/records/draft-atlas",
            json={"keywords": ["changed meanwhile"]},
            headers={
                **bearer(tokens.node("de")),
                "If-Match": '"draft-atlas.v1"',
                "Content-Type": "application/merge-patch+json",
            },
        )
        assert changed.status_code == 200, changed.text
        refused = await publish(steward, shown)
        assert refused.status_code == 412
        doc = page(refused)
        assert "not published" in doc.xpath("string(//div[@class='error-summary'])")
        stored = await stored_record(steward, tokens)
        assert (stored["status"], stored["version"]) == ("draft", 2)
        assert stored["keywords"] == ["changed meanwhile"]
        # the page is the record as it is now, and publishes that version
        assert doc.xpath("//form[contains(@action, '/publish')]//input[@name='etag']/@value") == [
            '"draft-atlas.v2"'
        ]
        assert (await publish(steward, refused)).status_code == 303

    async def test_without_the_csrf_token_nothing_is_published(
        self, steward: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        refused = await steward.post(f"{DRAFT}/publish", data={"etag": '"draft-atlas.v1"'})
        assert refused.status_code == 403
        stored = await stored_record(steward, tokens)
        assert stored["status"] == "draft"


class TestMissingRecords:
    async def test_an_unknown_record_is_a_page(self, steward: httpx.AsyncClient) -> None:
        for path in ("/workspace/records/no-such-record", "/workspace/records/no-such-record/edit"):
            answer = await steward.get(path)
            assert answer.status_code == 404, path
            assert answer.headers["content-type"].startswith("text/html")
            doc = page(answer)
            assert doc.xpath("string(//h1)") == "No such record"
            assert "no-such-record" in doc.xpath("string(//main)")
            # in the workspace's layout, for the signed-in steward
            assert doc.xpath("//nav[@aria-label='Sections']//a[@href='/workspace/records']")
        nowhere = await steward.get("/workspace/no-such-page")
        assert nowhere.status_code == 404
        assert nowhere.headers["content-type"].startswith("text/html")
        # a script that asks for JSON, and the API, keep problem+json
        script = await steward.get(
            "/workspace/records/no-such-record", headers={"Accept": "application/json"}
        )
        assert script.status_code == 404
        assert script.headers["content-type"] == "application/problem+json"
        api = await steward.get("/api/v1/records/no-such-record")
        assert api.status_code == 404
        assert api.headers["content-type"] == "application/problem+json"

    async def test_a_deleted_record_says_so(
        self, steward: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        shown = await steward.get(DRAFT)
        deleted = await steward.delete(
            "/api/v1/records/draft-atlas",
            headers={**bearer(tokens.node("de")), "If-Match": '"draft-atlas.v1"'},
        )
        assert deleted.status_code == 204, deleted.text
        for answer in (
            await steward.get(DRAFT),
            await steward.get(f"{DRAFT}/edit"),
            await publish(steward, shown),
        ):
            assert answer.status_code == 410
            assert answer.headers["content-type"].startswith("text/html")
            doc = page(answer)
            assert doc.xpath("string(//h1)") == "This record was deleted"
            assert "(version 2)" in doc.xpath("string(//main)")
            assert doc.xpath(f"//main//a[@href='{DRAFT}/history']")
        api = await steward.get("/api/v1/records/draft-atlas", headers=bearer(tokens.node("de")))
        assert api.status_code == 410
        assert api.headers["content-type"] == "application/problem+json"


class TestWhoMay:
    async def test_another_nodes_steward_is_refused(
        self, browser: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        await _seed(browser, tokens)
        await sign_in(browser, "olli")
        shown = await browser.get(DRAFT)
        assert shown.status_code == 403
        assert "No access to this workspace" in shown.text
        assert "Unfinished zebrafish atlas" not in shown.text
        refused = await browser.post(f"{DRAFT}/publish", data={"etag": '"draft-atlas.v1"'})
        assert refused.status_code == 403
        assert (await stored_record(browser, tokens))["status"] == "draft"

    async def test_without_a_session_the_page_asks_to_sign_in(
        self, browser: httpx.AsyncClient
    ) -> None:
        answer = await browser.get(DRAFT)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/workspace/sign-in?next=")

"""The workspace's history pages: versions with who and when, a diff of any two, restore
(CSRF, If-Match against a concurrent save), and who may use them."""

from __future__ import annotations

import httpx
import pytest
from converge_common.testing.plugin import Tokens, bearer
from converge_common.testing.workspace import sign_in
from lxml import html

from tests.metadata.conftest import dataset

HISTORY = "/workspace/records/mouse-atlas/history"


async def _seed(client: httpx.AsyncClient, tokens: Tokens) -> None:
    """Version 1 by the Node's client, version 2 with a new description and German title."""
    headers = bearer(tokens.node("de"))
    created = await client.post("/api/v1/records", json=dataset(), headers=headers)
    assert created.status_code == 201, created.text
    body = dataset(
        title={"en": "Mouse brain atlas", "de": "Atlas des Mausgehirns"},
        description={
            "en": "Single-cell expression of the adult mouse brain, <b>re-measured</b> in 2024."
        },
        keywords=["single-cell", "brain", "atlas"],
    )
    body.pop("id")
    updated = await client.put(
        "/api/v1/records/mouse-atlas",
        json=body,
        headers={**headers, "If-Match": created.headers["ETag"]},
    )
    assert updated.status_code == 200, updated.text


def _form(page: httpx.Response, version: int) -> dict[str, str]:
    doc = html.fromstring(page.text)
    (form,) = doc.xpath(f"//form[contains(@action, '/history/{version}/restore')]")
    return {i.get("name"): i.get("value") for i in form.xpath(".//input[@type='hidden']")}


@pytest.fixture
async def steward(browser: httpx.AsyncClient, tokens: Tokens) -> httpx.AsyncClient:
    await _seed(browser, tokens)
    assert (await sign_in(browser, "alice")).status_code == 303
    return browser


class TestHistory:
    async def test_every_version_with_who_and_when(self, steward: httpx.AsyncClient) -> None:
        page = await steward.get(HISTORY)
        assert page.status_code == 200
        doc = html.fromstring(page.text)
        rows = doc.xpath("//table[@class='versions']/tbody/tr")
        assert [r.xpath("string(th)").split()[0] for r in rows] == ["2", "1"]
        assert [r.xpath("string(td[1])") for r in rows] == ["Edited", "Created"]
        # written through the API by the Node's client: the client id is who
        assert rows[0].xpath("string(td[2])") == "node-de"
        assert rows[0].xpath("td[3]/time/@datetime")
        # the current version cannot be restored; the older one can
        assert not rows[0].xpath(".//form")
        assert rows[1].xpath(".//button/text()") == ["Restore version 1"]

    async def test_diff_of_two_versions_field_by_field(self, steward: httpx.AsyncClient) -> None:
        page = await steward.get(f"{HISTORY}/diff", params={"from": "1", "to": "2"})
        assert page.status_code == 200
        doc = html.fromstring(page.text)
        rows = {r.xpath("string(th)"): r for r in doc.xpath("//table[@class='diff']/tbody/tr")}
        assert rows["Title (de)"].xpath("string(td[1])") == "changed"
        assert rows["Title (de)"].xpath("string(td[2]/del)") == "Mausgehirnatlas"
        assert rows["Title (de)"].xpath("string(td[3]/ins)") == "Atlas des Mausgehirns"
        assert rows["Keywords 3"].xpath("string(td[3]/ins)") == "atlas"
        # a long text is diffed word by word; its markup is shown as text, never as markup
        words = rows["Description (en)"]
        assert "re-measured" in words.xpath("string(.//ins)")
        assert words.xpath(".//b") == []
        assert "&lt;b&gt;" in page.text
        # either order compares the older with the newer
        again = await steward.get(f"{HISTORY}/diff", params={"from": "2", "to": "1"})
        assert html.fromstring(again.text).xpath("string(//h1)") == (
            "What changed from version 1 to 2"
        )

    async def test_bad_versions_are_a_page_naming_the_field(
        self, steward: httpx.AsyncClient
    ) -> None:
        page = await steward.get(f"{HISTORY}/diff", params={"from": "x", "to": "2"})
        assert page.status_code == 422
        assert "<code>/from</code>" in page.text
        missing = await steward.get(f"{HISTORY}/diff", params={"from": "1", "to": "9"})
        assert missing.status_code == 404
        unknown = await steward.get("/workspace/records/no-such-record/history")
        assert unknown.status_code == 404
        assert "text/html" in unknown.headers["content-type"]


class TestRestore:
    async def test_restore_makes_a_new_version_written_by_the_steward(
        self, steward: httpx.AsyncClient
    ) -> None:
        fields = _form(await steward.get(HISTORY), 1)
        answer = await steward.post(f"{HISTORY}/1/restore", data=fields)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"{HISTORY}?restored=1"
        record = (await steward.get("/api/v1/records/mouse-atlas")).json()
        assert record["version"] == 3
        assert record["title"] == {"en": "Mouse brain atlas", "de": "Mausgehirnatlas"}
        page = await steward.get(answer.headers["location"])
        doc = html.fromstring(page.text)
        assert "Version 1 was restored as version 3." in doc.xpath("string(//p[@role='status'])")
        newest = doc.xpath("//table[@class='versions']/tbody/tr")[0]
        assert newest.xpath("string(td[1])") == "Restored"
        # the person's name, as their sign-in gave it
        assert newest.xpath("string(td[2])") == "Alice Steward"

    async def test_a_save_in_between_is_not_overwritten(
        self, steward: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        fields = _form(await steward.get(HISTORY), 1)
        # someone else saves after the page was drawn
        current = await steward.get("/api/v1/records/mouse-atlas")
        patched = await steward.patch(
            "/api/v1/records/mouse-atlas",
            content=b'{"keywords": ["concurrent"]}',
            headers={
                **bearer(tokens.node("de")),
                "Content-Type": "application/merge-patch+json",
                "If-Match": current.headers["ETag"],
            },
        )
        assert patched.status_code == 200, patched.text
        answer = await steward.post(f"{HISTORY}/1/restore", data=fields)
        assert answer.status_code == 409
        assert "Someone saved this record" in answer.text
        kept = (await steward.get("/api/v1/records/mouse-atlas")).json()
        assert (kept["version"], kept["keywords"]) == (3, ["concurrent"])

    async def test_without_the_csrf_token_nothing_is_restored(
        self, steward: httpx.AsyncClient
    ) -> None:
        fields = _form(await steward.get(HISTORY), 1)
        fields["csrf_token"] = "forged"
        answer = await steward.post(f"{HISTORY}/1/restore", data=fields)
        assert answer.status_code == 403
        assert (await steward.get("/api/v1/records/mouse-atlas")).json()["version"] == 2


class TestWhoMay:
    async def test_signed_out_goes_to_sign_in(
        self, browser: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        await _seed(browser, tokens)
        page = await browser.get(HISTORY)
        assert page.status_code == 303
        assert page.headers["location"].startswith("/workspace/sign-in?next=")
        posted = await browser.post(f"{HISTORY}/1/restore", data={"etag": "x"})
        assert posted.status_code == 303

    async def test_steward_of_another_node_is_refused(
        self, browser: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        await _seed(browser, tokens)
        assert (await sign_in(browser, "olli")).status_code == 303
        page = await browser.get(HISTORY)
        assert page.status_code == 403
        assert "Mouse brain atlas" not in page.text

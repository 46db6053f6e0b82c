"""The metadata workspace in the reader's language: ``?lang=`` (remembered in a cookie),
then the cookie, then ``Accept-Language``, as the portal chooses it."""

from __future__ import annotations

import httpx
from converge_common.testing.workspace import sign_in
from lxml import html


def _nav(page: httpx.Response) -> list[str]:
    doc = html.fromstring(page.text)
    return [t.strip() for t in doc.xpath("//nav[@aria-label][1]//a/text()")]


async def test_pages_and_record_form_in_the_asked_language(browser: httpx.AsyncClient) -> None:
    response = await sign_in(browser, "alice")
    assert response.status_code == 303
    page = await browser.get("/workspace/new/Dataset", params={"lang": "fi"})
    assert page.status_code == 200, page.text
    doc = html.fromstring(page.text)
    assert doc.get("lang") == "fi"
    assert page.headers["content-language"] == "fi"
    assert _nav(page) == ["Yleiskatsaus", "Tietueet", "Uusi tietue", "Tuonnit"]
    labels = {t.strip() for t in doc.xpath("//label/text() | //legend/text()")}
    assert {"Avainsanat", "Tekijät", "Otsikko ja kuvaus kielittäin"} <= labels
    assert "Keywords" not in labels
    assert doc.xpath("//button[@value='add:/creators']/text()") == ["Lisää tekijä"]
    assert "Henkilö" in doc.xpath("//select[@name='/creators/0/type']/option/text()")
    # the switcher offers every language, this one current
    switcher = doc.xpath("//nav[contains(@class, 'languages')]//a")
    assert [a.get("hreflang") for a in switcher] == ["en", "de", "fi", "pt"]
    assert [a.get("aria-current") for a in switcher] == [None, None, "true", None]
    # remembered: the next page without ?lang= is Finnish too, whatever the browser says
    dashboard = await browser.get("/workspace/", headers={"accept-language": "de"})
    assert html.fromstring(dashboard.text).get("lang") == "fi"
    assert "Mikä vaatii huomiota" in dashboard.text
    english = await browser.get("/workspace/", params={"lang": "en"})
    assert html.fromstring(english.text).get("lang") == "en"
    assert _nav(english)[0] == "Dashboard"


async def test_accept_language_without_a_cookie(browser: httpx.AsyncClient) -> None:
    page = await browser.get(
        "/workspace/signed-out", headers={"accept-language": "pt-PT, en;q=0.5"}
    )
    assert page.status_code == 200
    assert html.fromstring(page.text).get("lang") == "pt"
    assert "Terminou a sessão" in page.text
    missing = await browser.get(
        "/workspace/no-such-page", headers={"accept-language": "de", "accept": "text/html"}
    )
    assert missing.status_code == 404
    assert "Unter dieser Adresse gibt es keine Seite." in missing.text

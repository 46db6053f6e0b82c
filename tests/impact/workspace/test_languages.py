"""The impact workspace in the reader's language, chosen as the portal chooses it."""

from __future__ import annotations

from lxml import html

from tests.impact.workspace.conftest import Workspace


async def test_values_page_in_german(workspace: Workspace) -> None:
    alice = await workspace.person("alice")
    page = await alice.get("/workspace/", params={"lang": "de"})
    assert page.status_code == 200, page.text
    doc = html.fromstring(page.text)
    assert doc.get("lang") == "de"
    nav = [t.strip() for t in doc.xpath("//nav[@aria-label='Bereiche']//a/text()")]
    assert nav == [
        "Werte",
        "Wert eingeben",
        "CSV hochladen",
        "Abgeleitete Werte",
        "Diagramme",
        "Jahresberichte",
    ]
    assert "Abmelden" in page.text
    form = await alice.get("/workspace/values/new", headers={"accept-language": "en"})
    # the cookie set by ?lang=de wins over the browser's language
    assert html.fromstring(form.text).get("lang") == "de"
    assert "Als Entwurf speichern" in form.text
    assert "Save as draft" not in form.text

"""The record forms through the real app, signed in through the real OpenID provider: create,
refuse with each problem at its field, publish, assess unsaved, edit with If-Match and meet
the conflict page. What the forms store is read back through the API."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from converge_common.testing.plugin import Tokens, bearer
from converge_common.testing.workspace import sign_in
from converge_metadata.records.schemas import RECORD_TYPES
from lxml import html

from tests.metadata.conftest import dataset

pytestmark = pytest.mark.oidc

NEW = "/workspace/new/Dataset"


def page(response: httpx.Response) -> Any:
    return html.fromstring(response.text)


def csrf(response: httpx.Response) -> str:
    return str(page(response).xpath("//input[@name='csrf_token']/@value")[0])


def form_fields(
    response: httpx.Response, form: str = "//form[@class='record-form']"
) -> list[tuple[str, str]]:
    """Every value the page's form would send, as a browser sends it (no button pressed)."""
    (found,) = page(response).xpath(form)
    pairs: list[tuple[str, str]] = []
    for element in found.xpath(".//input|.//textarea|.//select"):
        name = element.get("name")
        kind = element.get("type", "text")
        if not name or element.tag == "button" or kind in ("submit", "button"):
            continue
        if kind in ("checkbox", "radio") and element.get("checked") is None:
            continue
        if element.tag == "select":
            chosen = element.xpath("./option[@selected]/@value") or element.xpath("./option/@value")
            pairs.append((name, chosen[0] if chosen else ""))
        elif element.tag == "textarea":
            pairs.append((name, element.text or ""))
        else:
            pairs.append((name, element.get("value", "on" if kind == "checkbox" else "")))
    return pairs


async def post(client: httpx.AsyncClient, url: str, pairs: list[tuple[str, str]]) -> httpx.Response:
    """A form post as a browser sends it: every pair, repeated names kept, in order."""
    return await client.post(
        url,
        content=urlencode(pairs),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


def replaced(pairs: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    """``pairs`` with the named fields set (``creators__0__orcid`` names /creators/0/orcid)."""
    wanted = {"/" + k.replace("__", "/"): v for k, v in values.items()}
    kept = [(k, v) for k, v in pairs if k not in wanted]
    return kept + list(wanted.items())


@pytest.fixture
async def steward(browser: httpx.AsyncClient) -> httpx.AsyncClient:
    await sign_in(browser, "alice")
    return browser


async def new_form(client: httpx.AsyncClient, path: str = NEW) -> httpx.Response:
    response = await client.get(path)
    assert response.status_code == 200, response.text
    return response


def atlas(form: httpx.Response, **values: str) -> list[tuple[str, str]]:
    """A new Dataset's form, filled in as a steward would (a topic typed as a synonym)."""
    filled = {
        "id": "ws-atlas",
        "texts__0__title": "Mouse brain atlas",
        "texts__0__description": "Single-cell expression of the adult mouse brain.",
        "topics__0": "quantitative proteomics",
        "creators__0__name": "Josiah Carberry",
        "creators__0__orcid": "0000-0002-1825-0097",
        "license": "CC-BY-4.0",
        "dataset__organisms__0": "house mouse",
    }
    return replaced(form_fields(form), **{**filled, **values})


class TestCreate:
    async def test_every_type_can_be_chosen(self, steward: httpx.AsyncClient) -> None:
        chooser = await steward.get("/workspace/new")
        assert chooser.status_code == 200
        links = page(chooser).xpath("//ul[@class='record-types']//a/@href")
        assert links == [f"/workspace/new/{t}" for t in RECORD_TYPES]
        for link in links:
            assert (await steward.get(link)).status_code == 200
        training = page(await steward.get("/workspace/new/TrainingMaterial"))
        assert training.xpath("string(//h1)") == "New record: Training material"

    async def test_the_form_mirrors_the_type(self, steward: httpx.AsyncClient) -> None:
        dataset_form = page(await new_form(steward))
        assert dataset_form.xpath("//input[@name='/topics/0'][@data-vocabulary='edam_topic']")
        assert dataset_form.xpath("//input[@name='/dataset/organisms/0']")
        assert not dataset_form.xpath("//*[starts-with(@name, '/software/')]")
        software = page(await new_form(steward, "/workspace/new/Software"))
        assert software.xpath("//input[@name='/software/operations/0']")
        assert not software.xpath("//*[starts-with(@name, '/dataset/')]")
        assert (await steward.get("/workspace/new/Spaceship")).status_code == 422

    async def test_a_published_dataset_with_a_topic_typed_as_a_synonym(
        self, steward: httpx.AsyncClient, api: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        form = await new_form(steward)
        saved = await post(steward, NEW, [*atlas(form), ("action", "publish")])
        assert saved.status_code == 303, saved.text
        assert saved.headers["location"] == "/workspace/records/ws-atlas/edit?saved=published"
        stored = (await api.get("/api/v1/records/ws-atlas")).json()
        assert stored["status"] == "published"
        assert stored["topics"] == [
            {"uri": "http://edamontology.org/topic_0121", "label": "Proteomics"}
        ]
        assert stored["dataset"]["organisms"][0]["label"] == "Mus musculus"
        assert stored["creators"][0]["orcid"] == "https://orcid.org/0000-0002-1825-0097"
        # the version names the person who saved it, as the API does for its writers
        versions = await api.get(
            "/api/v1/records/ws-atlas/versions", headers=bearer(tokens.node("de"))
        )
        assert [v["actor_name"] for v in versions.json()["items"]] == ["Alice Steward"]
        shown = await steward.get(saved.headers["location"])
        assert (
            "Published" in page(shown).xpath("//div[contains(@class, 'notice')]")[0].text_content()
        )

    async def test_problems_are_shown_at_their_fields_and_nothing_is_stored(
        self, steward: httpx.AsyncClient, api: httpx.AsyncClient
    ) -> None:
        form = await new_form(steward)
        refused = await post(
            steward,
            NEW,
            [
                *atlas(form, creators__0__orcid="0000-0002-1825-0098", access__level="embargoed"),
                ("action", "save"),
            ],
        )
        assert refused.status_code == 422
        shown = page(refused)
        links = shown.xpath("//div[@class='error-summary']//a")
        assert [a.get("href") for a in links] == ["#f-creators-0-orcid", "#f-access"]
        assert "check digit" in links[0].text_content()
        field = shown.xpath("//*[@id='f-creators-0-orcid']")[0]
        assert field.get("aria-invalid") == "true"
        assert "f-creators-0-orcid-error" in field.get("aria-describedby")
        # what the steward typed is kept, the FAIR panel is shown without JavaScript
        assert field.get("value") == "0000-0002-1825-0098"
        assert shown.xpath("//*[@id='fair-assessment']//li[@class='failed']")
        assert (await api.get("/api/v1/records/ws-atlas")).status_code == 404

    async def test_rows_are_added_and_removed_without_saving(
        self, steward: httpx.AsyncClient, api: httpx.AsyncClient
    ) -> None:
        form = await new_form(steward)
        added = await post(steward, NEW, [*atlas(form), ("action", "add:/creators")])
        assert added.status_code == 200
        assert page(added).xpath("//input[@name='/creators/1/name']")
        assert page(added).xpath("//input[@name='/creators/0/name']")[0].get("value") == (
            "Josiah Carberry"
        )
        removed = await post(steward, NEW, [*form_fields(added), ("action", "remove:/creators/0")])
        assert not page(removed).xpath("//input[@name='/creators/1/name']")
        assert not page(removed).xpath("//input[@name='/creators/0/name']")[0].get("value")
        assert (await api.get("/api/v1/records/ws-atlas")).status_code == 404

    async def test_a_post_without_the_csrf_token_is_refused(
        self, steward: httpx.AsyncClient, api: httpx.AsyncClient
    ) -> None:
        form = await new_form(steward)
        forged = [(k, v) for k, v in atlas(form) if k != "csrf_token"]
        refused = await post(steward, NEW, [*forged, ("action", "publish")])
        assert refused.status_code == 403
        assert (await api.get("/api/v1/records/ws-atlas")).status_code == 404


class TestAssess:
    async def test_the_unsaved_form_is_assessed(self, steward: httpx.AsyncClient) -> None:
        form = await new_form(steward)
        bare = await post(
            steward,
            "/workspace/records/assess",
            replaced(form_fields(form), texts__0__title="Atlas"),
        )
        assert bare.status_code == 200
        failed = {li.text_content() for li in page(bare).xpath("//li[@class='failed']")}
        assert any("FAIR vocabularies" in text for text in failed)
        annotated = await post(steward, "/workspace/records/assess", atlas(form))
        passed = {li.text_content() for li in page(annotated).xpath("//li[@class='passed']")}
        assert any("FAIR vocabularies" in text for text in passed)
        assert "<html" not in annotated.text  # a fragment, not a page

    async def test_without_javascript_the_form_is_checked_without_saving(
        self, steward: httpx.AsyncClient, api: httpx.AsyncClient
    ) -> None:
        form = await new_form(steward)
        checked = await post(steward, NEW, [*atlas(form), ("action", "assess")])
        assert checked.status_code == 200
        shown = page(checked)
        assert shown.xpath("//*[@id='fair-assessment']//li[@class='passed']")
        assert shown.xpath("//input[@name='/topics/0']/@value") == ["quantitative proteomics"]
        assert (await api.get("/api/v1/records/ws-atlas")).status_code == 404

    async def test_assessing_needs_the_csrf_token(self, steward: httpx.AsyncClient) -> None:
        refused = await post(steward, "/workspace/records/assess", [("record_type", "Dataset")])
        assert refused.status_code == 403


class TestEdit:
    @pytest.fixture
    async def stored(self, api: httpx.AsyncClient, tokens: Tokens) -> dict[str, Any]:
        created = await api.post(
            "/api/v1/records", json=dataset(), headers=bearer(tokens.node("de"))
        )
        assert created.status_code == 201, created.text
        return dict(created.json())

    async def test_a_form_saved_unchanged_stores_no_new_version(
        self, steward: httpx.AsyncClient, api: httpx.AsyncClient, stored: dict[str, Any]
    ) -> None:
        form = await steward.get("/workspace/records/mouse-atlas/edit")
        assert page(form).xpath("//input[@name='etag']/@value") == ['"mouse-atlas.v1"']
        assert page(form).xpath("string(//h1)") == "Edit: Mouse brain atlas"
        saved = await post(
            steward, "/workspace/records/mouse-atlas/edit", [*form_fields(form), ("action", "save")]
        )
        assert saved.status_code == 303, saved.text
        again = (await api.get("/api/v1/records/mouse-atlas")).json()
        assert again["version"] == 1
        assert again == stored

    async def test_an_unknown_record_has_no_form(self, steward: httpx.AsyncClient) -> None:
        assert (await steward.get("/workspace/records/no-such-record/edit")).status_code == 404
        form = await new_form(steward)
        refused = await post(
            steward,
            "/workspace/records/no-such-record/edit",
            [*form_fields(form), ("action", "save")],
        )
        assert refused.status_code == 404

    async def test_someone_else_saved_first(
        self,
        steward: httpx.AsyncClient,
        api: httpx.AsyncClient,
        tokens: Tokens,
        stored: dict[str, Any],
    ) -> None:
        form = await steward.get("/workspace/records/mouse-atlas/edit")
        mine = replaced(form_fields(form), keywords="mine")
        # meanwhile, through the API
        theirs = await api.patch(
            "/api/v1/records/mouse-atlas",
            json={"license": "MIT"},
            headers={
                **bearer(tokens.node("de")),
                "If-Match": '"mouse-atlas.v1"',
                "Content-Type": "application/merge-patch+json",
            },
        )
        assert theirs.status_code == 200, theirs.text
        conflict = await post(
            steward, "/workspace/records/mouse-atlas/edit", [*mine, ("action", "save")]
        )
        assert conflict.status_code == 409
        shown = page(conflict)
        differing = {
            row.xpath("./th")[0].text.strip() for row in shown.xpath("//tr[@class='differs']")
        }
        assert differing == {"Keywords", "Licence (SPDX)"}
        assert (await api.get("/api/v1/records/mouse-atlas")).json()["license"] == "MIT"
        assert shown.xpath("//a[contains(., 'Take the stored version')]/@href") == [
            "/workspace/records/mouse-atlas/edit"
        ]
        # back to editing: the steward's values, the stored version's ETag
        carried = form_fields(conflict, "//div[@class='conflict-choices']/form")
        assert ("etag", '"mouse-atlas.v2"') in carried
        back = await post(
            steward, "/workspace/records/mouse-atlas/edit", [*carried, ("action", "edit")]
        )
        assert back.status_code == 200
        assert page(back).xpath("//textarea[@name='/keywords']")[0].text == "mine"
        # keep mine: overwrite, knowingly
        kept = await post(
            steward, "/workspace/records/mouse-atlas/edit", [*carried, ("action", "save")]
        )
        assert kept.status_code == 303, kept.text
        now = (await api.get("/api/v1/records/mouse-atlas")).json()
        assert (now["version"], now["keywords"], now["license"]) == (3, ["mine"], "CC-BY-4.0")
        assert now["modified_by"] != stored["modified_by"]

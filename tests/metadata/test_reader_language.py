"""A reader's language: search hits and landing pages answer in it where the record has it,
else in English, else in the record's first language; ``lang`` before ``Accept-Language``."""

from __future__ import annotations

import httpx
import lxml.html
import pytest
import pytest_asyncio

from tests.metadata.conftest import dataset

TITLES = {"en": "Birch pollen genomes", "fi": "Koivun siitepölyn genomit", "de": "Birkenpollen"}


@pytest_asyncio.fixture(loop_scope="session")
async def multilingual(api: httpx.AsyncClient, steward: dict[str, str]) -> None:
    bodies = [
        dataset(
            id="birch",
            title=TITLES,
            description={"en": "English text.", "fi-FI": "Suomenkielinen kuvaus."},
        ),
        dataset(id="only-pt", title={"pt": "Genomas de sobreiro"}, description={}),
    ]
    for body in bodies:
        response = await api.post("/api/v1/records", json=body, headers=steward)
        assert response.status_code == 201, response.text


async def hit_titles(api: httpx.AsyncClient, **kw: object) -> dict[str, tuple[str, str]]:
    headers = kw.pop("headers", {})
    response = await api.get("/api/v1/search", params=kw, headers=headers)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    assert "Accept-Language" in response.headers["vary"]
    return {i["id"]: (i["title"], i["title_language"]) for i in response.json()["items"]}


class TestSearchHits:
    @pytest.mark.parametrize(
        ("params", "headers", "expected"),
        [
            ({}, {}, ("Birch pollen genomes", "en")),
            ({"lang": "fi"}, {}, ("Koivun siitepölyn genomit", "fi")),
            ({"lang": "sv,de"}, {}, ("Birkenpollen", "de")),
            ({}, {"accept-language": "fi-FI, en;q=0.5"}, ("Koivun siitepölyn genomit", "fi")),
            # lang comes before Accept-Language
            ({"lang": "de"}, {"accept-language": "fi"}, ("Birkenpollen", "de")),
            ({"lang": "sv"}, {}, ("Birch pollen genomes", "en")),
        ],
    )
    async def test_title_in_the_readers_language(
        self,
        api: httpx.AsyncClient,
        multilingual: None,
        params: dict[str, str],
        headers: dict[str, str],
        expected: tuple[str, str],
    ) -> None:
        titles = await hit_titles(api, **params, headers=headers)
        assert titles["birch"] == expected
        # no English: the record's own language
        assert titles["only-pt"] == ("Genomas de sobreiro", "pt")

    async def test_cached_answers_keep_languages_apart(
        self, api: httpx.AsyncClient, multilingual: None
    ) -> None:
        for _ in range(2):
            assert (await hit_titles(api, lang="fi"))["birch"][1] == "fi"
            assert (await hit_titles(api, lang="de"))["birch"][1] == "de"

    async def test_malformed_lang_is_refused(self, api: httpx.AsyncClient) -> None:
        response = await api.get("/api/v1/search", params={"lang": "fi;drop"})
        assert response.status_code == 422
        assert response.json()["errors"][0]["pointer"] == "/lang"


class TestLandingPage:
    async def test_in_the_readers_language(
        self, api: httpx.AsyncClient, multilingual: None
    ) -> None:
        response = await api.get("/records/birch", headers={"accept-language": "fi"})
        assert response.status_code == 200
        assert response.headers["content-language"] == "fi"
        page = lxml.html.fromstring(response.content)
        assert page.get("lang") == "fi"
        assert page.xpath("//h1/text()") == ["Koivun siitepölyn genomit"]
        assert "Suomenkielinen kuvaus." in page.xpath("//main/p/text()")
        response = await api.get("/records/birch", params={"lang": "de"})
        page = lxml.html.fromstring(response.content)
        assert page.xpath("//h1/text()") == ["Birkenpollen"]
        # German has no description: English, marked as English
        assert page.xpath("//main/p[@lang='en']/text()") == ["English text."]

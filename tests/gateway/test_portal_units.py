"""The portal's pieces that need no federation: languages, catalogues, escaping."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from babel.messages.pofile import read_po
from converge_common.languages import parse_accept_language, pick_text, reader_languages
from converge_gateway.portal.i18n import (
    LOCALES,
    choose_locale,
    language,
)
from converge_gateway.portal.render import json_ld, snippet, url_with, web_url
from converge_gateway.portal.training import CourseTopic, course_line

TRANSLATIONS = resources.files("converge_gateway.portal") / "translations"


@pytest.mark.parametrize("code", [c for c in LOCALES if c != "en"])
def test_every_message_is_translated(code: str) -> None:
    with (TRANSLATIONS / "messages.pot").open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    with (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=code)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(str(m) for m in wanted - translated)
    assert not missing, f"{code}: untranslated {missing}"
    assert language(code).gettext("Search") != "Search"


def test_accept_language_by_quality() -> None:
    assert parse_accept_language("de;q=0.5, fi-FI, pt;q=0, en;q=0.7") == ["fi-fi", "en", "de"]
    assert parse_accept_language("x;q=abc, *") == []
    assert parse_accept_language(", ".join(["de"] * 100)) == ["de"] * 40


def test_choice_order() -> None:
    assert choose_locale("pt", "de", "fi") == ("pt", True)
    assert choose_locale("xx", "de", "fi") == ("de", False)
    assert choose_locale(None, None, "sv, fi-FI;q=0.8") == ("fi", False)
    assert choose_locale(None, None, "sv") == ("en", False)


def test_record_text_fallback() -> None:
    text = {"de": "Deutsch", "en": "English", "fi-FI": "Suomi"}
    assert pick_text(text, ["fi"]) == ("Suomi", "fi-FI")
    assert pick_text(text, ["pt"]) == ("English", "en")
    assert pick_text(text, ["pt", "de"]) == ("Deutsch", "de")
    assert pick_text({"sv": "Svenska"}, ["fi"]) == ("Svenska", "sv")
    assert pick_text({}, ["fi"]) == ("", None)


def test_reader_languages() -> None:
    assert reader_languages("fi,sv-FI", "de;q=0.5, *, fi") == ("fi", "sv", "de")
    assert reader_languages(None, None) == ()


def test_snippet_keeps_only_marks() -> None:
    hostile = "a &lt;b&gt; <mark>hit</mark> <script>x</script> <mark>open"
    assert str(snippet(hostile)) == (
        "a &lt;b&gt; <mark>hit</mark> &lt;script&gt;x&lt;/script&gt; <mark>open</mark>"
    )


def test_json_ld_cannot_close_its_element() -> None:
    text = str(json_ld({"name": "</script><script>alert(1)</script> & co"}))
    assert not {"<", ">", "&"} & set(text)
    assert json.loads(text) == {"name": "</script><script>alert(1)</script> & co"}


def test_links_only_to_the_web() -> None:
    assert web_url("https://example.org/x") == "https://example.org/x"
    assert web_url("mailto:dac@example.org") == "mailto:dac@example.org"
    assert web_url("javascript:alert(1)") is None
    assert web_url(" data:text/html,x") is None


def test_url_with() -> None:
    params = [("q", "a b"), ("type", "Dataset"), ("type", "Software")]
    assert url_with("/", params, remove=[("type", "Dataset")]) == "/?q=a+b&type=Software"
    assert url_with("/", params, remove=[("type", None), ("q", None)]) == "/"
    assert url_with("/", params, add=[("type", "Dataset")]).count("Dataset") == 1


def test_course_topics_are_edam_topics_only() -> None:
    item = {
        "global_id": "de:c1",
        "node": "de",
        "title": "A course",
        "course": {
            "start_date": "2030-01-01",
            "end_date": "2030-01-02",
            "online": True,
            "topics": [
                {"uri": "http://edamontology.org/topic_0121", "label": "Proteomics"},
                {"uri": "http://edamontology.org/topic_3170"},
                {"uri": "javascript:alert(1)", "label": "not a topic"},
                {"uri": "http://edamontology.org/operation_0292", "label": "an operation"},
                "topic_0622",
                {"uri": ["http://edamontology.org/topic_0622"]},
            ]
            + [{"uri": f"http://edamontology.org/topic_{n:04d}"} for n in range(20)],
        },
    }
    line = course_line(item, {"de": "ELIXIR DE"})
    assert line is not None
    assert line.topics[:2] == (
        CourseTopic("http://edamontology.org/topic_0121", "Proteomics"),
        CourseTopic("http://edamontology.org/topic_3170", "topic_3170"),
    )
    assert len(line.topics) == 6
    assert course_line({**item, "course": {**item["course"], "topics": "x"}}, {}) is not None

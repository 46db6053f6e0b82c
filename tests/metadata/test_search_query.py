"""The query language of ``q``: the parser's tree and compiled forms, and the same answers on
SQLite and PostgreSQL for phrases, OR, exclusions, groups and field prefixes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import pytest_asyncio
from converge_common.errors import InvalidInput
from converge_metadata.search.query import (
    MAX_DEPTH,
    MAX_WORDS,
    And,
    Not,
    Or,
    Term,
    parse_query,
    to_fts5,
    to_tsquery,
)

from tests.metadata.conftest import dataset


def _record(local_id: str, title: str, description: str, keywords: list[str], creator: str) -> Any:
    return dataset(
        id=local_id,
        title={"en": title},
        description={"en": description},
        keywords=keywords,
        creators=[{"name": creator}],
        topics=["topic_3308"],
        identifiers=[],
    )


CORPUS = [
    _record(
        "atlas",
        "Zebrafish retina atlas",
        "Confocal stacks of larval eyes.",
        ["imaging", "retina"],
        "Ada Lovelace",
    ),
    _record(
        "retina-seq",
        "Retina transcriptome",
        "Bulk sequencing of zebrafish retina tissue.",
        ["sequencing"],
        "Grace Hopper",
    ),
    _record(
        "lovelace-notes",
        "Analytical engine notes",
        "Notes by Lovelace on imaging numbers.",
        ["history", "lovelace"],
        "Charles Babbage",
    ),
    _record(
        "hopper-compiler",
        "Compiler Hopper",
        "A compiler for retina imaging pipelines.",
        ["compilers"],
        "Grace Hopper",
    ),
    _record("either", "Either or not", "Logic puzzles.", ["logic"], "Ada Lovelace"),
]

# q -> the records it finds; the same on both backends
ANSWERS: dict[str, set[str]] = {
    "retina": {"atlas", "retina-seq", "hopper-compiler"},
    "title:retina": {"atlas", "retina-seq"},
    "keyword:retina": {"atlas"},
    "retina -title:retina": {"hopper-compiler"},
    "retina NOT keyword:retina": {"retina-seq", "hopper-compiler"},
    "lovelace": {"atlas", "lovelace-notes", "either"},
    "creator:lovelace": {"atlas", "either"},
    "lovelace -creator:lovelace": {"lovelace-notes"},
    "creator:hopper": {"retina-seq", "hopper-compiler"},
    "title:hopper": {"hopper-compiler"},
    '"retina atlas"': {"atlas"},
    '"atlas retina"': set(),
    '"retina imaging"': {"hopper-compiler"},
    'title:"retina atlas"': {"atlas"},
    'keyword:"retina atlas"': set(),
    "imaging OR sequencing": {"atlas", "lovelace-notes", "hopper-compiler", "retina-seq"},
    "(imaging OR sequencing) -retina": {"lovelace-notes"},
    "hopper NOT compiler": {"retina-seq"},
    "title:(retina OR compiler)": {"atlas", "retina-seq", "hopper-compiler"},
    "retina AND imaging": {"atlas", "hopper-compiler"},
    "retina -(imaging OR sequencing)": set(),
    "retina -(imaging -keyword:imaging)": {"atlas", "retina-seq"},
    # an unknown prefix is text: the words "zebrafish retina" in order
    "zebrafish:retina": {"atlas", "retina-seq"},
    # lowercase or/not are words (both in the title "Either or not")
    "either or not": {"either"},
}


@pytest_asyncio.fixture(loop_scope="session")
async def corpus(api: httpx.AsyncClient, steward: dict[str, str]) -> None:
    for body in CORPUS:
        response = await api.post("/api/v1/records", json=body, headers=steward)
        assert response.status_code == 201, response.text


async def _found(api: httpx.AsyncClient, q: str, **params: Any) -> tuple[set[str], Any]:
    response = await api.get("/api/v1/search", params={"q": q, "limit": 50, **params})
    assert response.status_code == 200, (q, response.text)
    body = response.json()
    return {i["id"] for i in body["items"]}, body


async def test_every_query_finds_its_records(api: httpx.AsyncClient, corpus: None) -> None:
    wrong = {}
    for q, expected in ANSWERS.items():
        found, body = await _found(api, q)
        if found != expected or body["total"] != len(expected):
            wrong[q] = (sorted(found), body["total"])
    assert wrong == {}
    # without facets (no total, no facet mask) and as a steward (no answer cache) alike
    for q, expected in ANSWERS.items():
        assert (await _found(api, q, facets="false"))[0] == expected, q


async def test_steward_answers_are_the_same(
    api: httpx.AsyncClient, steward: dict[str, str], corpus: None
) -> None:
    for q in ("retina -title:retina", "creator:lovelace", "(imaging OR sequencing) -retina"):
        response = await api.get("/api/v1/search", params={"q": q}, headers=steward)
        assert {i["id"] for i in response.json()["items"]} == ANSWERS[q], q


async def test_pages_of_a_boolean_query(api: httpx.AsyncClient, corpus: None) -> None:
    q = "imaging OR sequencing"
    seen: list[str] = []
    params: dict[str, Any] = {"q": q, "limit": 1}
    for _ in range(10):
        body = (await api.get("/api/v1/search", params=params)).json()
        seen += [i["id"] for i in body["items"]]
        if not body.get("next_cursor"):
            break
        params["cursor"] = body["next_cursor"]
    assert len(seen) == len(set(seen))
    assert set(seen) == ANSWERS[q]


async def test_snippet_marks_a_fielded_match(api: httpx.AsyncClient, corpus: None) -> None:
    _, body = await _found(api, "title:compiler")
    assert [i["id"] for i in body["items"]] == ["hopper-compiler"]
    assert "<mark>" in body["items"][0]["snippet"]


@pytest.mark.parametrize(
    ("q", "rule"),
    [
        ("-retina", "positive_term"),
        ("NOT retina", "positive_term"),
        ("-retina -imaging", "positive_term"),
        ("retina OR -imaging", "positive_term"),
        ("retina (imaging OR -atlas)", "positive_term"),
        ("OR", "operators_only"),
        ("NOT AND OR -", "operators_only"),
        ("title:", "operators_only"),
        (" ".join(["retina"] * (MAX_WORDS + 1)), "max_terms"),
        ("(" * (MAX_DEPTH + 1) + "retina" + ")" * (MAX_DEPTH + 1), "max_depth"),
    ],
)
async def test_unanswerable_queries_are_422_naming_q(
    api: httpx.AsyncClient, q: str, rule: str
) -> None:
    response = await api.get("/api/v1/search", params={"q": q})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"] == [
        {"pointer": "/q", "rule": rule, "detail": response.json()["errors"][0]["detail"]}
    ]


# -- the parser and its compiled forms (no database) ------------------------------------------


@pytest.mark.parametrize(
    ("q", "tree"),
    [
        ("mouse brain", And((Term(("mouse",)), Term(("brain",))))),
        ('"brain atlas" OR mri', Or((Term(("brain", "atlas")), Term(("mri",))))),
        ("a b OR c", Or((And((Term(("a",)), Term(("b",)))), Term(("c",))))),
        ("a -b", And((Term(("a",)), Not(Term(("b",)))))),
        ("a NOT b", And((Term(("a",)), Not(Term(("b",)))))),
        ("a NOT NOT b", And((Term(("a",)), Term(("b",))))),
        ("a AND b", And((Term(("a",)), Term(("b",))))),
        ("or not", And((Term(("or",)), Term(("not",))))),
        ("Title:x", Term(("x",), "title")),
        ("-creator:smith a", And((Not(Term(("smith",), "creator")), Term(("a",))))),
        (
            'title:(a OR keyword:"b c")',
            Or((Term(("a",), "title"), Term(("b", "c"), "keyword"))),
        ),
        ("foo:bar", Term(("foo", "bar"))),
        ("e-mail", Term(("e", "mail"))),
        ("0000-0002-1825-0097", Term(("0000", "0002", "1825", "0097"))),
        ('"OR"', Term(("OR",))),
        ("a OR", Term(("a",))),
        ("(a OR b", Or((Term(("a",)), Term(("b",))))),
        ("a ) b", And((Term(("a",)), Term(("b",))))),
        ('"unclosed phrase', Term(("unclosed", "phrase"))),
    ],
)
def test_parse(q: str, tree: Any) -> None:
    assert parse_query(q) == tree


@pytest.mark.parametrize("q", [None, "", "   ", "!!!", "()", '""', "-"])
def test_no_words_is_no_query(q: str | None) -> None:
    assert parse_query(q) is None


def test_compiled_forms() -> None:
    tree = parse_query('title:"brain atlas" (mouse OR rat) -keyword:mri -creator:smith')
    assert tree is not None
    assert to_fts5(tree) == (
        '(title : "brain atlas" AND ("mouse" OR "rat")) NOT (keywords : "mri" OR people : "smith")'
    )
    assert to_tsquery(tree) == ("('brain atlas':A & ('mouse' | 'rat') & !('mri':B) & !('smith':C))")


def test_errors_name_q_and_the_rule() -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_query("-only -exclusions")
    assert raised.value.status == 422
    assert [(e["pointer"], e["rule"]) for e in raised.value.errors] == [("/q", "positive_term")]

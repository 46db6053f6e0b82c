"""Breaker and cache against a controlled clock; the merge of Node pages."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from converge_gateway.fanout.breaker import CircuitBreaker
from converge_gateway.negotiation import choose_media_type
from converge_gateway.safe_xml import MAX_DEPTH, UnsafeXML, parse_xml
from converge_gateway.search.cursor import NodePosition
from converge_gateway.search.facets import (
    Completion,
    choose,
    completion_params,
    finish,
    node_facet_size,
)
from converge_gateway.search.merge import NodePage, merge_pages
from converge_gateway.search.schemas import NodeFacetValue, NodeSearchPage


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class TestCircuitBreaker:
    def test_lifecycle(self) -> None:
        clock = Clock()
        breaker = CircuitBreaker(failures_to_open=3, open_s=10, clock=clock)
        for _ in range(2):
            assert breaker.allow()
            breaker.record_failure()
        assert breaker.state == "closed"
        breaker.record_success()
        for _ in range(3):
            breaker.record_failure()
        assert breaker.state == "open"
        assert not breaker.allow()
        clock.now += 10
        assert breaker.allow()  # the probe
        assert breaker.state == "half_open"
        assert not breaker.allow()  # one probe at a time
        breaker.record_failure()
        assert breaker.state == "open"
        assert not breaker.allow()
        clock.now += 10
        assert breaker.allow()
        breaker.record_success()
        assert breaker.state == "closed"
        assert breaker.allow()
        assert breaker.allow()

    def test_released_probe_can_be_retried(self) -> None:
        clock = Clock()
        breaker = CircuitBreaker(failures_to_open=1, open_s=1, clock=clock)
        breaker.record_failure()
        clock.now += 1
        assert breaker.allow()
        breaker.release()
        assert breaker.allow()


def _page(node: str, hits: list[dict[str, Any]]) -> NodePage:
    page = NodeSearchPage.model_validate_json(orjson.dumps({"items": hits}))
    return NodePage(node, NodePosition(), page, skip=0)


class TestMergePages:
    def test_items_carry_the_nodes_fields_and_the_fused_score(self) -> None:
        pages = [
            _page("de", [{"id": "a", "score": 7.5, "title": "Alpha", "extra": {"x": 1}}]),
            _page("fi", [{"id": "b", "score": 0.1, "title": "Beta"}]),
        ]
        merged = merge_pages(pages, limit=10, k=60, order="relevance")
        assert merged.items == [
            {
                "id": "a",
                "title": "Alpha",
                "extra": {"x": 1},
                "node_score": 7.5,
                "node": "de",
                "global_id": "de:a",
                "rank": 1,
                "score": round(1 / 61, 8),
            },
            {
                "id": "b",
                "title": "Beta",
                "node_score": 0.1,
                "node": "fi",
                "global_id": "fi:b",
                "rank": 1,
                "score": round(1 / 61, 8),
            },
        ]

    def test_date_order_reads_each_hits_own_date(self) -> None:
        pages = [
            _page("de", [{"id": "old", "modified_at": "2020-01-01T00:00:00+00:00"}]),
            _page("fi", [{"id": "new", "modified_at": "2025-01-01T00:00:00+00:00"}]),
        ]
        merged = merge_pages(pages, limit=10, k=60, order="date")
        assert [i["global_id"] for i in merged.items] == ["fi:new", "de:old"]

    def test_counts_only_what_was_taken(self) -> None:
        pages = [
            _page("de", [{"id": f"d{i}", "title": f"d{i}"} for i in range(5)]),
            _page("fi", [{"id": f"f{i}", "title": f"f{i}"} for i in range(5)]),
        ]
        merged = merge_pages(pages, limit=3, k=60, order="title")
        assert [i["id"] for i in merged.items] == ["d0", "d1", "d2"]
        assert merged.taken == {"de": 3, "fi": 0}


class TestSafeXML:
    """What a Node's XML (OAI-PMH pages, DataCite, RDF/XML) may be before the gateway uses it."""

    def test_plain_xml_parses(self) -> None:
        root = parse_xml(b"<a><b>text</b></a>")
        assert root.findtext("b") == "text"

    @pytest.mark.parametrize(
        "content",
        [
            # billion laughs
            b'<!DOCTYPE a [<!ENTITY x "xxxxxxxx"><!ENTITY y "&x;&x;&x;&x;&x;&x;&x;&x;">]>'
            b"<a>&y;&y;&y;&y;</a>",
            # an external entity
            b'<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
            # an external DTD
            b'<!DOCTYPE a SYSTEM "http://127.0.0.1:9/evil.dtd"><a/>',
            b"<a>" * (MAX_DEPTH + 1) + b"</a>" * (MAX_DEPTH + 1),
            b"<a><b></a>",
            b"",
        ],
    )
    def test_refused(self, content: bytes) -> None:
        with pytest.raises(UnsafeXML):
            parse_xml(content)

    def test_depth_bound_is_inclusive(self) -> None:
        parse_xml(b"<a>" * MAX_DEPTH + b"</a>" * MAX_DEPTH)


class TestNegotiation:
    @pytest.mark.parametrize(
        ("accept", "chosen"),
        [
            (None, "application/json"),
            ("", "application/json"),
            ("*/*", "application/json"),
            ("text/*", "text/turtle"),
            ("application/rdf+xml;q=0.9, text/turtle;q=0.9", "application/rdf+xml"),
            ("text/turtle;q=0.1, application/ld+json;q=0.2", "application/ld+json"),
            ("text/turtle;q=0, */*;q=0.1", "application/json"),
            ("application/json;q=0, */*", "application/ld+json"),
            ("text/html", None),
            ("text/turtle;q=0", None),
            ("text/turtle;q=abc", None),
        ],
    )
    def test_choose(self, accept: str | None, chosen: str | None) -> None:
        offers = ("application/json", "application/ld+json", "text/turtle", "application/rdf+xml")
        assert choose_media_type(accept, offers) == chosen


def _values(*pairs: tuple[str, int]) -> list[NodeFacetValue]:
    return [NodeFacetValue(value=v, count=c) for v, c in pairs]


class TestFacetSelection:
    def test_only_full_lists_may_have_left_a_value_out(self) -> None:
        answers = {
            "de": {"keyword": _values(("protein", 7), ("genome", 2))},
            "fi": {"keyword": _values(("genome", 4), ("rna", 3))},
            "pt": {"keyword": _values(("protein", 5))},
        }
        chosen = choose(answers, dimensions=["keyword"], asked=2, shown=2)
        shown = {c.value: (c.count, c.unknown) for c in chosen["keyword"]}
        # pt listed fewer values than asked: it has no others
        assert shown == {"protein": (12, ["fi"]), "genome": (6, [])}
        done = finish(chosen, {Completion("fi", "keyword", "protein"): 3})
        assert [(f.value, f.count, f.exact) for f in done["keyword"]] == [
            ("protein", 15, True),
            ("genome", 6, True),
        ]

    def test_a_count_not_completed_is_a_lower_bound(self) -> None:
        answers = {"de": {"type": _values(("Dataset", 3))}, "fi": {"type": _values(("Tool", 2))}}
        chosen = choose(answers, dimensions=["type"], asked=1, shown=1)
        [value] = finish(chosen, {})["type"]
        assert (value.value, value.count, value.exact) == ("Dataset", 3, False)

    @pytest.mark.parametrize(
        ("params", "completion", "expected"),
        [
            ([("q", "x")], ("topic", "t1"), [("q", "x"), ("topic", "t1")]),
            ([("topic", "t1"), ("topic", "t2")], ("topic", "t2"), [("topic", "t2")]),
            # records with one of the caller's topics *and* t3: no such query
            ([("topic", "t1")], ("topic", "t3"), None),
            (
                [("year_from", "2000"), ("type", "Dataset")],
                ("year", "2021"),
                [("type", "Dataset"), ("year_from", "2021"), ("year_to", "2021")],
            ),
            ([], ("year", "unknown"), None),
        ],
    )
    def test_the_search_that_completes_a_count(
        self,
        params: list[tuple[str, str]],
        completion: tuple[str, str],
        expected: list[tuple[str, str]] | None,
    ) -> None:
        assert completion_params(params, Completion("de", *completion)) == expected

    def test_nodes_are_asked_for_more_values_than_shown(self) -> None:
        assert node_facet_size(10, factor=1.5, extra=10) == 25
        assert node_facet_size(100, factor=1.5, extra=10) == 100
        assert node_facet_size(3, factor=1.0, extra=0) == 3

from __future__ import annotations

from collections import Counter
from typing import Any

from tests.gateway.conftest import StartFederation, corpus
from tests.gateway.simnode import SimNode, SimRecord

PROTEINS = ["protein atlas", "protein structures", "yeast genome", "protein protein links"]
TOOLS = ["protein aligner", "genome assembler", "variant caller"]
COURSES = ["protein folding course", "genomics course", "protein design", "rna course", "protein"]


def three_nodes() -> dict[str, SimNode]:
    return {
        "de": SimNode(corpus("de", PROTEINS)),
        "fi": SimNode(corpus("fi", TOOLS, "Software")),
        "nl": SimNode(corpus("nl", COURSES, "TrainingMaterial")),
    }


def own_answer(node: SimNode, q: str) -> dict[str, Any]:
    return node.search({"q": [q], "limit": ["1000"]})


async def walk(fed: Any, **params: Any) -> list[dict[str, Any]]:
    pages = []
    cursor = None
    for _ in range(50):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        params.pop("cursor", None)
        page = await fed.search(**query)
        pages.append(page)
        cursor = page["next_cursor"]
        if not cursor:
            return pages
    raise AssertionError("paging did not end")


class TestMerging:
    async def test_union_of_the_nodes_answers(self, federation: StartFederation) -> None:
        fed = await federation(three_nodes())
        page = await fed.search(q="protein", limit=100)
        expected = {
            f"{node_id}:{hit['id']}"
            for node_id, sim in fed.nodes.items()
            for hit in own_answer(sim, "protein")["items"]
        }
        assert {item["global_id"] for item in page["items"]} == expected
        assert page["total"] == sum(own_answer(s, "protein")["total"] for s in fed.nodes.values())
        assert page["next_cursor"] is None
        assert page["partial"] is False
        assert {n: s["status"] for n, s in page["nodes"].items()} == {
            "de": "ok",
            "fi": "ok",
            "nl": "ok",
        }
        assert page["nodes"]["nl"]["count"] == 3
        assert page["nodes"]["nl"]["total"] == 3

    async def test_facets_are_summed(self, federation: StartFederation) -> None:
        nodes = {
            "de": SimNode(corpus("de", PROTEINS) + corpus("dt", ["protein tool"], "Software")),
            "fi": SimNode(corpus("fi", TOOLS, "Software")),
        }
        fed = await federation(nodes)
        page = await fed.search(q="protein")
        expected: Counter[str] = Counter()
        for sim in nodes.values():
            for value in own_answer(sim, "protein")["facets"]["type"]:
                expected[value["value"]] += value["count"]
        got = {v["value"]: v["count"] for v in page["facets"]["type"]}
        assert got == dict(expected) == {"Dataset": 3, "Software": 2}
        # most frequent first
        assert page["facets"]["type"][0]["value"] == "Dataset"

    async def test_a_count_that_cannot_be_completed_says_it_is_a_lower_bound(
        self, federation: StartFederation
    ) -> None:
        # de lists Dataset 3, Software 1; fi lists only Software 2; one value is shown, and
        # each Node is asked for one: fi's full list leaves Dataset out
        nodes = {
            "de": SimNode(corpus("de", PROTEINS[:3]) + corpus("dt", ["protein tool"], "Software")),
            "fi": SimNode(corpus("fi", TOOLS[:2], "Software")),
        }
        narrow = {"facet_node_factor": 1.0, "facet_node_extra": 0}
        fed = await federation(nodes, facet_completion_max_calls=0, **narrow)
        page = await fed.search(facet_size=1)
        assert page["facets"]["type"] == [
            {"value": "Dataset", "label": "Dataset", "count": 3, "exact": False}
        ]
        assert nodes["fi"].calls[-1]["facet_size"] == ["1"]

    async def test_a_completed_count_asks_the_node_filtered_by_the_value(
        self, federation: StartFederation
    ) -> None:
        nodes = {
            "de": SimNode(corpus("de", PROTEINS[:3]) + corpus("dt", ["protein tool"], "Software")),
            "fi": SimNode(corpus("fi", TOOLS[:2], "Software")),
        }
        fed = await federation(nodes, facet_node_factor=1.0, facet_node_extra=0)
        page = await fed.search(q="protein", facet_size=1)
        assert page["facets"]["type"] == [
            {"value": "Dataset", "label": "Dataset", "count": 2, "exact": True}
        ]
        completion = nodes["fi"].calls[-1]
        assert (completion["type"], completion["q"], completion["limit"]) == (
            ["Dataset"],
            ["protein"],
            ["1"],
        )
        assert "type" not in nodes["de"].calls[-1]

    async def test_records_are_labelled_with_their_node(self, federation: StartFederation) -> None:
        fed = await federation(three_nodes())
        page = await fed.search(q="genom")
        by_node = {item["global_id"]: item["node"] for item in page["items"]}
        assert by_node == {"de:de2": "de", "fi:fi1": "fi", "nl:nl1": "nl"}
        assert all(item["title"] for item in page["items"])

    async def test_fair_ranking_interleaves_nodes(self, federation: StartFederation) -> None:
        # one Node scores in the hundreds, the other below one: ranks, not scores, decide
        loud = SimNode(corpus("a", [f"protein {'protein ' * 50}{i}" for i in range(5)]))
        quiet = SimNode(corpus("b", [f"protein {i}" for i in range(5)]))
        fed = await federation({"de": loud, "fi": quiet})
        page = await fed.search(q="protein", limit=4)
        assert [item["node"] for item in page["items"]] == ["de", "fi", "de", "fi"]
        assert [item["rank"] for item in page["items"]] == [1, 1, 2, 2]

    async def test_filters_pass_through_to_the_nodes(self, federation: StartFederation) -> None:
        fed = await federation(three_nodes())
        page = await fed.search(q="protein", type="Software")
        assert [item["global_id"] for item in page["items"]] == ["fi:fi0"]
        assert fed.nodes["de"].calls[-1]["type"] == ["Software"]
        assert "node" not in fed.nodes["de"].calls[-1]

    async def test_a_query_every_node_refuses_is_the_callers_error(
        self, federation: StartFederation
    ) -> None:
        fed = await federation(three_nodes())
        response = await fed.client.get("/api/v1/search", params={"topic": "bogus"})
        # the Nodes' own status, pointers and rules, as if the caller had asked a Node
        assert response.status_code == 422
        problem = response.json()
        assert "unknown topic bogus" in problem["detail"]
        assert problem["errors"] == [
            {"pointer": "/topic/0", "rule": "vocabulary", "detail": "no such term"}
        ]

    async def test_what_the_gateway_can_check_never_reaches_a_node(
        self, federation: StartFederation
    ) -> None:
        fed = await federation(three_nodes())
        response = await fed.client.get("/api/v1/search", params={"type": "bogus"})
        assert response.status_code == 422
        [error] = response.json()["errors"]
        assert (error["pointer"], error["rule"], error["in"]) == ("/type/0", "enum", "query")
        assert all(not sim.calls for sim in fed.nodes.values())


class TestNodeFilter:
    async def test_only_the_named_nodes_are_asked(self, federation: StartFederation) -> None:
        fed = await federation(three_nodes())
        page = await fed.search(q="protein", node="de,nl")
        assert set(page["nodes"]) == {"de", "nl"}
        assert {item["node"] for item in page["items"]} == {"de", "nl"}
        assert fed.nodes["fi"].calls == []

    async def test_repeated_parameter_works_too(self, federation: StartFederation) -> None:
        fed = await federation(three_nodes())
        response = await fed.client.get("/api/v1/search?q=protein&node=fi&node=nl")
        assert set(response.json()["nodes"]) == {"fi", "nl"}

    async def test_unknown_node(self, federation: StartFederation) -> None:
        fed = await federation(three_nodes())
        response = await fed.client.get("/api/v1/search", params={"node": "de,xx"})
        assert response.status_code == 400
        assert "xx" in response.json()["detail"]


class TestPaging:
    async def test_every_record_exactly_once(self, federation: StartFederation) -> None:
        nodes = {
            "de": SimNode(corpus("de", [f"protein {i}" for i in range(11)])),
            "fi": SimNode(corpus("fi", [f"protein {i}" for i in range(4)])),
            "nl": SimNode(corpus("nl", [f"protein {i}" for i in range(7)])),
        }
        fed = await federation(nodes)
        pages = await walk(fed, q="protein", limit=3)
        seen = [item["global_id"] for page in pages for item in page["items"]]
        assert len(seen) == len(set(seen)) == 22
        assert len(pages) == 8
        assert all(len(page["items"]) == 3 for page in pages[:-1])
        # every Node's records come in the Node's own order
        for node_id, sim in nodes.items():
            own = [f"{node_id}:{h['id']}" for h in own_answer(sim, "protein")["items"]]
            assert [g for g in seen if g.startswith(node_id + ":")] == own
        # facets once, totals on every page
        assert pages[0]["facets"] is not None
        assert pages[1]["facets"] is None
        assert {page["total"] for page in pages} == {22}

    async def test_page_two_continues_each_node_with_its_own_cursor(
        self, federation: StartFederation
    ) -> None:
        nodes = {
            "de": SimNode(corpus("de", [f"protein {i:02}" for i in range(20)])),
            "fi": SimNode(corpus("fi", [f"protein {i:02}" for i in range(20)])),
        }
        fed = await federation(nodes, node_page_max=8)
        own = {
            n: [f"{n}:{h['id']}" for h in own_answer(sim, "protein")["items"]]
            for n, sim in nodes.items()
        }
        merged = [own[n][i] for i in range(20) for n in ("de", "fi")]
        first = await fed.search(q="protein", limit=4)
        assert [i["global_id"] for i in first["items"]] == merged[:4]
        second = await fed.search(q="protein", limit=4, cursor=first["next_cursor"])
        assert [i["global_id"] for i in second["items"]] == merged[4:8]
        pages = [
            first,
            second,
            *await walk(fed, q="protein", limit=4, cursor=second["next_cursor"]),
        ]
        seen = [i["global_id"] for page in pages for i in page["items"]]
        assert seen == merged
        # a Node is asked for no more than its page size, and continues from its own cursor
        for sim in nodes.values():
            assert max(int(c["limit"][0]) for c in sim.calls) == 8
            assert {c["cursor"][0] for c in sim.calls if "cursor" in c} == {"8", "16"}

    async def test_nodes_long_cursors_end_paging_with_a_warning_not_an_error(
        self, federation: StartFederation
    ) -> None:
        # six Nodes each keeping 3,900 characters of state: together more than a federated
        # cursor may carry
        nodes = {
            n: SimNode(corpus(n, [f"protein {i}" for i in range(6)]), cursor_padding=3_900)
            for n in ("de", "fi", "nl", "pt", "se", "si")
        }
        fed = await federation(nodes, node_page_max=2)
        # every Node's first page taken whole: the next page starts at each Node's own cursor
        page = await fed.search(q="protein", limit=12)
        assert len(page["items"]) == 12
        assert page["next_cursor"] is None
        assert [(w["pointer"], w["rule"]) for w in page["warnings"]] == [("/cursor", "max_length")]
        # one such Node alone still pages on
        one = await fed.search(q="protein", limit=2, node="de")
        assert one["next_cursor"] is not None
        assert one["warnings"] == []

    async def test_exhausted_node_is_not_asked_again(self, federation: StartFederation) -> None:
        nodes = {
            "de": SimNode(corpus("de", [f"protein {i}" for i in range(8)])),
            "fi": SimNode(corpus("fi", ["protein"])),
        }
        fed = await federation(nodes)
        first = await fed.search(q="protein", limit=3)
        calls = len(nodes["fi"].calls)
        second = await fed.search(q="protein", limit=3, cursor=first["next_cursor"])
        assert len(nodes["fi"].calls) == calls
        assert second["nodes"]["fi"] == {
            "status": "skipped",
            "ms": None,
            "count": None,
            "total": 1,
            "reason": "no more results",
        }
        assert second["partial"] is False
        assert second["total"] == 9

    async def test_cursor_for_another_query_is_refused(self, federation: StartFederation) -> None:
        fed = await federation(three_nodes())
        first = await fed.search(q="protein", limit=1)
        response = await fed.client.get(
            "/api/v1/search", params={"q": "genome", "limit": 1, "cursor": first["next_cursor"]}
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["pointer"] == "/cursor"

    async def test_tampered_cursor_is_refused(self, federation: StartFederation) -> None:
        fed = await federation(three_nodes())
        first = await fed.search(q="protein", limit=1)
        token = first["next_cursor"]
        forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
        response = await fed.client.get(
            "/api/v1/search", params={"q": "protein", "limit": 1, "cursor": forged}
        )
        assert response.status_code == 400


class TestSortOrders:
    async def test_title_order_is_one_alphabetical_list(self, federation: StartFederation) -> None:
        nodes = {
            "de": SimNode(corpus("de", ["Beta", "delta", "Zeta", "eta"])),
            "fi": SimNode(corpus("fi", ["alpha", "Gamma", "epsilon"])),
        }
        fed = await federation(nodes)
        pages = await walk(fed, sort="title", limit=3)
        titles = [item["title"] for page in pages for item in page["items"]]
        assert titles == sorted(titles, key=str.casefold)
        assert len(titles) == 7
        assert nodes["de"].calls[0]["sort"] == ["title"]

    async def test_without_a_query_newest_first(self, federation: StartFederation) -> None:
        old = [SimRecord("a", "old", modified_at="2024-05-01T00:00:00+00:00")]
        new = [
            SimRecord("b", "new", modified_at="2026-05-01T00:00:00+00:00"),
            SimRecord("c", "mid", modified_at="2025-05-01T00:00:00+00:00"),
        ]
        fed = await federation({"de": SimNode(old), "fi": SimNode(new)})
        page = await fed.search()
        assert [item["global_id"] for item in page["items"]] == ["fi:b", "fi:c", "de:a"]

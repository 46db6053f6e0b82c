"""Federated facets and the search's parameters, over real Nodes whose top values differ.

The corpus (conftest): de holds 7 "protein" and 2 "genome" records, fi 3 "protein" and 4
"genome", pt 5 "protein" and 1 "rna". Each Node's own top keyword is not the federation's at fi.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from converge_gateway.app import create_app as create_gateway
from converge_gateway.search.service import FORWARDED_PARAMS, GATEWAY_PARAMS
from converge_gateway.settings import GatewaySettings
from converge_metadata.app import create_app as create_metadata
from converge_metadata.settings import MetadataSettings

from tests.federation.conftest import Federation


def filtered(dimension: str, value: str) -> dict[str, str]:
    if dimension == "year":
        return {"year_from": value, "year_to": value}
    return {dimension: value}


async def search(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get("/api/v1/search", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


class TestFacetCounts:
    async def test_a_value_outside_one_nodes_top_values_is_counted_in_full(
        self, federation: Federation
    ) -> None:
        # fi's own top keyword is "genome": summing the Nodes' top values gives protein 12
        fi_top = await federation.node_search("fi", facet_size=1)
        assert [v["value"] for v in fi_top["facets"]["keyword"]] == ["genome"]
        async with federation.client() as client:
            page = await search(client, facet_size=1)
            assert page["facets"]["keyword"] == [
                {"value": "protein", "label": "protein", "count": 15, "exact": True}
            ]
            only = await search(client, keyword="protein", limit=1)
        assert only["total"] == 15

    @pytest.mark.parametrize("size", [1, 2, 3, 10])
    async def test_every_count_shown_is_what_filtering_by_it_finds(
        self, federation: Federation, size: int
    ) -> None:
        async with federation.client() as client:
            for query in ({}, {"q": "protein"}, {"type": "Dataset"}):
                page = await search(client, facet_size=size, **query)
                assert page["facets"], page
                for dimension, values in page["facets"].items():
                    assert len(values) <= size
                    counts = [v["count"] for v in values]
                    assert counts == sorted(counts, reverse=True)
                    for value in values:
                        assert value["exact"] is True
                        params = {**query, **filtered(dimension, value["value"])}
                        found = await search(client, limit=1, **params)
                        assert value["count"] == found["total"], (dimension, value, query)

    async def test_the_caller_chooses_the_dimensions(self, federation: Federation) -> None:
        async with federation.client() as client:
            chosen = await search(client, facets="keyword,type")
            assert set(chosen["facets"]) == {"keyword", "type"}
            none = await search(client, facets="false")
            assert none["facets"] is None
            # without counts a Node gives no total either
            assert none["total"] is None
            wrong = await client.get("/api/v1/search", params={"facets": "keyword,colour"})
        assert wrong.status_code == 422
        [error] = wrong.json()["errors"]
        assert (error["pointer"], error["rule"], error["in"]) == ("/facets", "enum", "query")


async def node_problem(federation: Federation, params: Any) -> httpx.Response:
    async with httpx.AsyncClient(base_url=federation.nodes["de"].url, timeout=10) as node:
        return await node.get("/api/v1/search", params=params)


def located(problem: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    return [(e["pointer"], e["rule"], e.get("in")) for e in problem["errors"]]


class TestParameters:
    async def test_the_gateway_and_a_node_refuse_a_wrong_type_alike(
        self, federation: Federation
    ) -> None:
        at_node = await node_problem(federation, {"type": "Datset"})
        async with federation.client() as client:
            at_gateway = await client.get("/api/v1/search", params={"type": "Datset"})
        assert at_node.status_code == at_gateway.status_code == 422
        assert at_gateway.headers["content-type"] == "application/problem+json"
        assert (
            located(at_gateway.json()) == located(at_node.json()) == [("/type/0", "enum", "query")]
        )

    async def test_a_refusal_only_the_nodes_make_reaches_the_caller_as_theirs(
        self, federation: Federation
    ) -> None:
        # more alternatives in one filter than a Node takes (its SEARCH_MAX_FILTER_VALUES)
        params = [("topic", f"topic_{i:04d}") for i in range(21)]
        at_node = await node_problem(federation, params)
        async with federation.client() as client:
            at_gateway = await client.get("/api/v1/search", params=params)
        assert at_node.status_code == at_gateway.status_code == 422
        assert located(at_gateway.json()) == located(at_node.json())
        assert located(at_gateway.json())[0][:2] == ("/topic", "max_items")

    async def test_unknown_parameters_are_refused_by_name(self, federation: Federation) -> None:
        async with federation.client() as client:
            response = await client.get(
                "/api/v1/search", params={"q": "protein", "topics": "x", "size": "3"}
            )
        assert response.status_code == 422
        assert located(response.json()) == [
            ("/topics", "no_additional_properties", "query"),
            ("/size", "no_additional_properties", "query"),
        ]

    async def test_a_capped_limit_is_said(self, federation: Federation) -> None:
        async with federation.client() as client:
            page = await search(client, limit=5000)
            plain = await search(client, limit=5)
        assert page["limit"] == 100
        assert page["warnings"] == [
            {"pointer": "/limit", "rule": "maximum", "detail": "capped at 100 (asked 5000)"}
        ]
        assert plain["warnings"] == []


def _search_parameters(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    operation = document["paths"]["/api/v1/search"]["get"]
    return {p["name"]: p["schema"] for p in operation["parameters"]}


def _enum(schema: dict[str, Any]) -> set[str]:
    """Every enumerated value in a parameter's schema, however nested (anyOf, items)."""
    found: set[str] = set()
    stack = [schema]
    while stack:
        item = stack.pop()
        found |= set(item.get("enum", ()))
        if "const" in item:
            found.add(item["const"])
        stack += [v for v in item.values() if isinstance(v, dict)]
        stack += [x for v in item.values() if isinstance(v, list) for x in v if isinstance(x, dict)]
    return found


class TestContract:
    def test_the_gateway_documents_every_filter_of_the_node_search(self) -> None:
        node = _search_parameters(create_metadata(MetadataSettings()).openapi())
        gateway = _search_parameters(create_gateway(GatewaySettings()).openapi())
        # every Node parameter, plus those the gateway answers itself (node)
        assert set(node) <= set(gateway)
        assert set(gateway) - set(node) == {"node"}
        # what the gateway takes is what it declares: nothing declared is refused as unknown
        assert set(gateway) == FORWARDED_PARAMS | GATEWAY_PARAMS
        for name in ("type", "access", "sort", "level"):
            assert _enum(gateway[name]) == _enum(node[name]) != set(), name

"""Federated impact: each indicator across the Nodes, combined by its own rule, whatever any
one Node does. Simulated Nodes on real sockets answer known values."""

from __future__ import annotations

import math
from typing import Any

import pytest

from tests.gateway.conftest import Federation, StartFederation
from tests.gateway.simnode import SimIndicator, SimNode, SimValue

DATASETS = SimIndicator("records.datasets.published", "sum")
FAIR = SimIndicator("fair.score.mean", "mean", unit="score", pathway="research_efficiency")
PEAK = SimIndicator(
    "training.participants.peak", "max", unit="people", pathway="skills_development"
)
FTE = SimIndicator("staff.fte", "latest", unit="FTE", pathway="infrastructure_sustainability")
CATALOGUE = [DATASETS, FAIR, PEAK, FTE]

# every Node's values, known in advance
VALUES: dict[str, list[SimValue]] = {
    "de": [
        SimValue(DATASETS.code, "2024", 10),
        SimValue(DATASETS.code, "2025", 12),
        SimValue(DATASETS.code, "2025-Q1", 3),
        SimValue(DATASETS.code, "2025-Q2", 4),
        SimValue(FAIR.code, "2025", 0.5, source="derived", at="2026-01-05T00:00:00Z"),
        SimValue(PEAK.code, "2025", 30),
        SimValue(FTE.code, "2025", 4.0, at="2026-01-10T09:00:00Z"),
    ],
    "fi": [
        SimValue(DATASETS.code, "2024", 5),
        SimValue(DATASETS.code, "2025", 20),
        SimValue(DATASETS.code, "2025-Q2", 6),
        SimValue(FAIR.code, "2025", 0.75, source="derived", at="2026-01-05T00:00:00Z"),
        SimValue(PEAK.code, "2025", 45),
        SimValue(FTE.code, "2025", 6.5, at="2026-02-01T12:00:00+01:00"),
    ],
    "nl": [
        SimValue(DATASETS.code, "2025", 8),
        SimValue(FAIR.code, "2025", 1.0, source="derived", at="2026-01-05T00:00:00Z"),
        SimValue(PEAK.code, "2025", 12),
        SimValue(FTE.code, "2025", 2.0, at="2025-12-01T00:00:00Z"),
    ],
}


def impact_node(node_id: str, **kw: Any) -> SimNode:
    return SimNode(indicators=list(CATALOGUE), values=list(VALUES[node_id]), **kw)


def three_nodes(**modes: str) -> dict[str, SimNode]:
    return {n: impact_node(n, mode=modes.get(n, "ok")) for n in ("de", "fi", "nl")}


def by_rule(rule: str, values: dict[str, SimValue]) -> float:
    """The combination rule, written out independently of the gateway."""
    numbers = [v.value for v in values.values()]
    if rule == "sum":
        return sum(numbers)
    if rule == "mean":
        return sum(numbers) / len(numbers)
    if rule == "max":
        return max(numbers)
    assert rule == "latest"
    from datetime import datetime

    return max(values.values(), key=lambda v: datetime.fromisoformat(v.at or "")).value


def node_values(nodes: list[str], code: str, period: str) -> dict[str, SimValue]:
    return {n: v for n in nodes for v in VALUES[n] if v.code == code and v.period == period}


async def get(fed: Federation, path: str, **params: Any) -> dict[str, Any]:
    response = await fed.client.get(f"/api/v1/impact{path}", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def outcomes(body: dict[str, Any]) -> dict[str, str]:
    return {o["node"]: o["status"] for o in body["nodes"]}


def points(body: dict[str, Any]) -> dict[str, float]:
    return {p["period"]: p["value"] for p in body["points"]}


class TestCombination:
    @pytest.mark.parametrize("indicator", CATALOGUE, ids=lambda i: i.combine_nodes)
    async def test_each_rule_over_every_node(
        self, federation: StartFederation, indicator: SimIndicator
    ) -> None:
        fed = await federation(three_nodes())
        body = await get(fed, f"/indicators/{indicator.code}", granularity="year")
        assert body["partial"] is False
        assert outcomes(body) == {"de": "ok", "fi": "ok", "nl": "ok"}
        assert body["indicator"]["combine_nodes"] == indicator.combine_nodes
        for point in body["points"]:
            expected = node_values(["de", "fi", "nl"], indicator.code, point["period"])
            assert point["value"] == pytest.approx(by_rule(indicator.combine_nodes, expected))
            assert point["nodes"] == {n: v.value for n, v in expected.items()}

    async def test_known_totals(self, federation: StartFederation) -> None:
        fed = await federation(three_nodes())
        datasets = await get(fed, f"/indicators/{DATASETS.code}")
        assert points(datasets) == {"2024": 15.0, "2025": 40.0}
        assert datasets["points"][0]["nodes"] == {"de": 10.0, "fi": 5.0}
        assert points(await get(fed, f"/indicators/{FAIR.code}")) == {"2025": 0.75}
        assert points(await get(fed, f"/indicators/{PEAK.code}")) == {"2025": 45.0}
        fte = await get(fed, f"/indicators/{FTE.code}")
        # fi's value was validated last (2026-02-01 11:00 UTC)
        assert fte["points"] == [
            {
                "period": "2025",
                "value": 6.5,
                "nodes": {"de": 4.0, "fi": 6.5, "nl": 2.0},
                "latest_node": "fi",
            }
        ]

    async def test_time_series_by_quarter_within_a_range(self, federation: StartFederation) -> None:
        fed = await federation(three_nodes())
        body = await get(
            fed, f"/indicators/{DATASETS.code}", granularity="quarter", **{"from": "2025-Q2"}
        )
        assert body["granularity"] == "quarter"
        assert body["points"] == [
            {
                "period": "2025-Q2",
                "value": 10.0,
                "nodes": {"de": 4.0, "fi": 6.0},
                "latest_node": None,
            }
        ]
        series_calls = [c for c in fed.nodes["de"].calls if c.get("granularity")]
        assert series_calls == [{"granularity": ["quarter"], "from": ["2025-Q2"]}]
        per_node = {o["node"]: o["points"] for o in body["nodes"]}
        assert per_node == {"de": 1, "fi": 1, "nl": 0}

    async def test_periods_come_in_time_order(self, federation: StartFederation) -> None:
        values = [SimValue(DATASETS.code, f"2025-{m:02d}", m) for m in (10, 2, 11, 1)]
        fed = await federation({"de": SimNode(indicators=[DATASETS], values=values)})
        body = await get(fed, f"/indicators/{DATASETS.code}", granularity="month")
        assert [p["period"] for p in body["points"]] == ["2025-01", "2025-02", "2025-10", "2025-11"]

    async def test_a_node_without_the_indicator_is_ok_and_not_partial(
        self, federation: StartFederation
    ) -> None:
        nodes = three_nodes()
        nodes["nl"] = SimNode(indicators=[FAIR], values=[])
        fed = await federation(nodes)
        body = await get(fed, f"/indicators/{DATASETS.code}")
        assert body["partial"] is False
        nl = next(o for o in body["nodes"] if o["node"] == "nl")
        assert (nl["status"], nl["defined"], nl["points"]) == ("ok", False, 0)
        assert body["indicator"]["nodes"] == ["de", "fi"]
        assert points(body) == {"2024": 15.0, "2025": 32.0}

    async def test_unknown_everywhere_is_404(self, federation: StartFederation) -> None:
        fed = await federation(three_nodes())
        response = await fed.client.get("/api/v1/impact/indicators/no.such.indicator")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert "no.such.indicator" in response.json()["detail"]

    async def test_unknown_where_some_node_failed_is_503(self, federation: StartFederation) -> None:
        fed = await federation(three_nodes(fi="fail"))
        response = await fed.client.get("/api/v1/impact/indicators/no.such.indicator")
        assert response.status_code == 503
        assert "fi" in response.json()["detail"]
        assert "retry-after" in response.headers


class TestFailingNodes:
    async def test_one_node_down(self, federation: StartFederation) -> None:
        fed = await federation(three_nodes(), stopped=("nl",))
        for indicator in CATALOGUE:
            body = await get(fed, f"/indicators/{indicator.code}")
            assert body["partial"] is True
            nl = next(o for o in body["nodes"] if o["node"] == "nl")
            assert (nl["status"], nl["reason"]) == ("error", "connection refused or unreachable")
            for point in body["points"]:
                expected = node_values(["de", "fi"], indicator.code, point["period"])
                assert point["value"] == pytest.approx(by_rule(indicator.combine_nodes, expected))
                assert "nl" not in point["nodes"]
        assert points(await get(fed, f"/indicators/{DATASETS.code}")) == {
            "2024": 15.0,
            "2025": 32.0,
        }

    async def test_a_hanging_node_times_out_within_the_deadline(
        self, federation: StartFederation
    ) -> None:
        fed = await federation(three_nodes(nl="hang"), deadline_s=0.5, node_timeout_s=5)
        body = await get(fed, f"/indicators/{FAIR.code}")
        assert outcomes(body) == {"de": "ok", "fi": "ok", "nl": "timeout"}
        assert body["partial"] is True
        assert points(body) == {"2025": 0.625}

    @pytest.mark.parametrize(
        ("mode", "reason"),
        [
            ("garbage", "malformed indicator answer"),
            ("wrong_type", "malformed indicator answer"),
            ("fail", "HTTP 500"),
            ("mislabelled", "series of another indicator (other.indicator)"),
        ],
    )
    async def test_a_node_answering_garbage_is_its_error_and_not_passed_on(
        self, federation: StartFederation, mode: str, reason: str
    ) -> None:
        fed = await federation(three_nodes(fi=mode))
        body = await get(fed, f"/indicators/{DATASETS.code}")
        fi = next(o for o in body["nodes"] if o["node"] == "fi")
        assert (fi["status"], fi["reason"]) == ("error", reason)
        assert body["partial"] is True
        assert points(body) == {"2024": 10.0, "2025": 20.0}
        assert all("fi" not in p["nodes"] for p in body["points"])

    async def test_an_oversized_answer_is_an_error(self, federation: StartFederation) -> None:
        fed = await federation(three_nodes(fi="huge"), node_max_response_bytes=64 * 1024)
        body = await get(fed, "/indicators")
        fi = next(o for o in body["nodes"] if o["node"] == "fi")
        assert (fi["status"], fi["reason"]) == ("error", "answer too large")

    async def test_a_series_out_of_the_range_asked_is_refused(
        self, federation: StartFederation
    ) -> None:
        class Ignores(SimNode):
            def impact(self, path: str, params: dict[str, list[str]]) -> dict[str, Any] | None:
                return super().impact(path, {"granularity": params.get("granularity", [])})

        nodes = three_nodes()
        nodes["fi"] = Ignores(indicators=list(CATALOGUE), values=list(VALUES["fi"]))
        fed = await federation(nodes)
        body = await get(fed, f"/indicators/{DATASETS.code}", **{"from": "2025"})
        fi = next(o for o in body["nodes"] if o["node"] == "fi")
        assert (fi["status"], fi["reason"]) == ("error", "period 2024 outside the range asked for")
        assert points(body) == {"2025": 20.0}

    async def test_nodes_without_an_impact_service_do_not_make_it_partial(
        self, federation: StartFederation
    ) -> None:
        fed = await federation(three_nodes(), impact_states={"nl": None, "fi": "unreachable"})
        body = await get(fed, f"/indicators/{DATASETS.code}")
        reasons = {o["node"]: (o["status"], o["reason"]) for o in body["nodes"]}
        assert reasons == {
            "de": ("ok", None),
            "fi": ("skipped", "impact service unreachable"),
            "nl": ("skipped", "no impact service registered"),
        }
        assert body["partial"] is True  # fi runs one: its figures are missing
        assert fed.nodes["fi"].calls == []
        assert fed.nodes["nl"].calls == []
        fed.gateway.directory.replace([e for e in fed.gateway.directory.nodes if e.id != "fi"])
        assert (await get(fed, f"/indicators/{DATASETS.code}"))["partial"] is False


class TestBreaker:
    async def test_impact_failures_open_the_impact_breaker_only(
        self, federation: StartFederation
    ) -> None:
        fed = await federation(three_nodes(fi="fail"), breaker_failures=2, breaker_open_s=3600)
        for _ in range(2):
            body = await get(fed, f"/indicators/{DATASETS.code}")
            assert outcomes(body)["fi"] == "error"
        calls = len(fed.nodes["fi"].calls)
        body = await get(fed, f"/indicators/{DATASETS.code}")
        fi = next(o for o in body["nodes"] if o["node"] == "fi")
        assert (fi["status"], fi["reason"]) == ("skipped", "circuit open")
        assert body["partial"] is True
        assert len(fed.nodes["fi"].calls) == calls
        breakers = fed.gateway.fanout.breakers
        assert breakers.get("fi", "impact").state == "open"
        assert breakers.get("fi").state == "closed"  # search still asks fi
        listed = {n["id"]: n for n in (await fed.client.get("/api/v1/nodes")).json()["nodes"]}
        assert (listed["fi"]["impact_circuit"], listed["fi"]["impact_called"]) == ("open", False)
        assert (listed["fi"]["circuit"], listed["fi"]["searched"]) == ("closed", True)
        text = (await fed.client.get("/metrics")).text
        assert 'gateway_node_circuit_open{node="fi",service="impact"} 1.0' in text
        line = 'gateway_node_requests_total{node="fi",operation="impact_series",outcome="%s"}'
        assert f"{line % 'error'} 2.0" in text
        assert f"{line % 'skipped'} 1.0" in text


class TestNodeFilter:
    @pytest.mark.parametrize("nodes", [["de", "fi"], ["de,fi"]])
    async def test_only_the_nodes_named(
        self, federation: StartFederation, nodes: list[str]
    ) -> None:
        fed = await federation(three_nodes())
        body = await get(fed, f"/indicators/{DATASETS.code}", node=nodes)
        assert outcomes(body) == {"de": "ok", "fi": "ok"}
        assert points(body) == {"2024": 15.0, "2025": 32.0}
        assert fed.nodes["nl"].calls == []

    async def test_an_unknown_node_is_refused(self, federation: StartFederation) -> None:
        fed = await federation(three_nodes())
        response = await fed.client.get(
            "/api/v1/impact/profile", params={"period": "2025", "node": "xx"}
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["pointer"] == "/node"


class TestBadParameters:
    @pytest.mark.parametrize(
        ("path", "params", "pointer"),
        [
            ("/indicators/Records.Datasets", {}, "/code"),
            ("/indicators/records..x", {}, "/code"),
            (f"/indicators/{DATASETS.code}", {"granularity": "week"}, "/granularity"),
            (f"/indicators/{DATASETS.code}", {"from": "2025-13"}, "/from"),
            (f"/indicators/{DATASETS.code}", {"from": "2025-Q1"}, "/from"),
            (f"/indicators/{DATASETS.code}", {"granularity": "month", "to": "2025"}, "/to"),
            (f"/indicators/{DATASETS.code}", {"from": "2026", "to": "2025"}, "/to"),
            ("/profile", {}, "/period"),
            ("/profile", {"period": "last year"}, "/period"),
            ("/indicators", {"node": ",".join(f"n{i}" for i in range(201))}, "/node"),
        ],
    )
    async def test_problem_naming_the_parameter(
        self,
        federation: StartFederation,
        path: str,
        params: dict[str, str],
        pointer: str,
    ) -> None:
        fed = await federation(three_nodes())
        response = await fed.client.get(f"/api/v1/impact{path}", params=params)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert [e["pointer"] for e in problem["errors"]] == [pointer]
        assert all(not n.calls for n in fed.nodes.values())

    @pytest.mark.parametrize(
        ("path", "params"),
        [(f"/indicators/{DATASETS.code}", {"from": "1980"}), ("/profile", {"period": "1980"})],
    )
    async def test_a_request_every_node_refuses_is_422(
        self, federation: StartFederation, path: str, params: dict[str, str]
    ) -> None:
        fed = await federation(three_nodes(), breaker_failures=1)
        response = await fed.client.get(f"/api/v1/impact{path}", params=params)
        assert response.status_code == 422, response.text
        assert "period before 1990" in response.json()["detail"]
        # the caller's request, not the Nodes' fault
        assert all(
            fed.gateway.fanout.breakers.get(n, "impact").state == "closed" for n in fed.nodes
        )


class TestDefinitions:
    async def test_a_node_defining_it_differently_is_left_out(
        self, federation: StartFederation
    ) -> None:
        nodes = three_nodes()
        odd = SimIndicator(DATASETS.code, "sum", unit="datasets")
        nodes["fi"].indicators = [odd if i.code == DATASETS.code else i for i in CATALOGUE]
        fed = await federation(nodes)
        body = await get(fed, f"/indicators/{DATASETS.code}")
        fi = next(o for o in body["nodes"] if o["node"] == "fi")
        assert fi["status"] == "error"
        assert fi["reason"] == "defined differently: unit 'datasets' (federation: 'records')"
        assert body["partial"] is True
        assert body["indicator"]["unit"] == "records"
        assert body["indicator"]["nodes"] == ["de", "nl"]
        assert list(body["indicator"]["conflicts"]) == ["fi"]
        assert points(body) == {"2024": 10.0, "2025": 20.0}
        catalogue = await get(fed, "/indicators")
        item = next(i for i in catalogue["items"] if i["code"] == DATASETS.code)
        assert (item["nodes"], list(item["conflicts"])) == (["de", "nl"], ["fi"])
        assert next(o for o in catalogue["nodes"] if o["node"] == "fi")["conflicts"] == [
            DATASETS.code
        ]

    async def test_the_shared_catalogue_wins_over_a_majority_of_node_extensions(
        self, federation: StartFederation
    ) -> None:
        local = SimIndicator("events.held", "max", unit="events", scope="node")
        shared = SimIndicator("events.held", "sum", unit="events")
        nodes = {
            "de": SimNode(indicators=[local], values=[SimValue(local.code, "2025", 3)]),
            "fi": SimNode(indicators=[local], values=[SimValue(local.code, "2025", 4)]),
            "nl": SimNode(indicators=[shared], values=[SimValue(local.code, "2025", 5)]),
        }
        fed = await federation(nodes)
        body = await get(fed, "/indicators/events.held")
        assert body["indicator"]["combine_nodes"] == "sum"
        assert body["indicator"]["nodes"] == ["nl"]
        assert points(body) == {"2025": 5.0}
        assert outcomes(body) == {"de": "error", "fi": "error", "nl": "ok"}

    async def test_a_tie_goes_to_the_lowest_node_id(self, federation: StartFederation) -> None:
        a = SimIndicator("events.held", "sum", unit="events")
        b = SimIndicator("events.held", "max", unit="events")
        nodes = {
            "fi": SimNode(indicators=[b], values=[SimValue(a.code, "2025", 4)]),
            "de": SimNode(indicators=[a], values=[SimValue(a.code, "2025", 3)]),
        }
        fed = await federation(nodes)
        body = await get(fed, "/indicators/events.held")
        assert body["indicator"]["combine_nodes"] == "sum"
        assert points(body) == {"2025": 3.0}


class TestCatalogue:
    async def test_the_union_of_the_nodes_catalogues(self, federation: StartFederation) -> None:
        own = SimIndicator("fi.sauna.sessions", "sum", unit="sessions", scope="node")
        nodes = three_nodes()
        nodes["fi"].indicators.append(own)
        for node in nodes.values():
            node.page_size = 2  # the gateway follows the pages
        fed = await federation(nodes)
        body = await get(fed, "/indicators")
        assert [i["code"] for i in body["items"]] == sorted(
            [i.code for i in CATALOGUE] + [own.code]
        )
        by_code = {i["code"]: i for i in body["items"]}
        assert by_code[own.code]["nodes"] == ["fi"]
        assert by_code[own.code]["scope"] == "node"
        assert by_code[FTE.code]["nodes"] == ["de", "fi", "nl"]
        assert by_code[FTE.code]["combine_nodes"] == "latest"
        assert "internal_note" not in by_code[FTE.code]
        assert {o["node"]: o["indicators"] for o in body["nodes"]} == {"de": 4, "fi": 5, "nl": 4}
        assert body["partial"] is False
        assert len([c for c in fed.nodes["fi"].calls if "limit" in c]) == 3

    async def test_a_node_down(self, federation: StartFederation) -> None:
        fed = await federation(three_nodes(de="garbage"))
        body = await get(fed, "/indicators")
        de = next(o for o in body["nodes"] if o["node"] == "de")
        assert (de["status"], de["reason"]) == ("error", "malformed indicator list answer")
        assert body["partial"] is True
        assert all(i["nodes"] == ["fi", "nl"] for i in body["items"])


class TestProfile:
    async def test_every_indicator_combined_by_its_rule(self, federation: StartFederation) -> None:
        fed = await federation(three_nodes())
        body = await get(fed, "/profile", period="2025")
        assert body["period"] == "2025"
        assert body["partial"] is False
        assert [p["pathway"] for p in body["pathways"]] == [
            "research_efficiency",
            "resource_uptake",
            "infrastructure_sustainability",
            "skills_development",
            "equal_opportunity",
            "policy_influence",
            "public_awareness",
            "working_together",
            "scientific_legacy",
        ]
        found = {i["code"]: i for p in body["pathways"] for i in p["indicators"]}
        assert set(found) == {i.code for i in CATALOGUE}
        for indicator in CATALOGUE:
            expected = node_values(["de", "fi", "nl"], indicator.code, "2025")
            item = found[indicator.code]
            assert item["value"] == pytest.approx(by_rule(indicator.combine_nodes, expected))
            assert item["nodes"] == {n: v.value for n, v in expected.items()}
            pathway = next(p for p in body["pathways"] if item in p["indicators"])
            assert pathway["pathway"] == indicator.pathway
        assert found[DATASETS.code]["value"] == 40.0
        assert {o["node"]: o["indicators"] for o in body["nodes"]} == {"de": 4, "fi": 4, "nl": 4}

    async def test_latest_dated_from_the_series_when_the_profile_has_no_times(
        self, federation: StartFederation
    ) -> None:
        nodes = three_nodes()
        for node in nodes.values():
            node.profile_times = False
        fed = await federation(nodes)
        body = await get(fed, "/profile", period="2025")
        fte = next(i for p in body["pathways"] for i in p["indicators"] if i["code"] == FTE.code)
        assert (fte["value"], fte["latest_node"]) == (6.5, "fi")
        asked = [c for c in nodes["de"].calls if c.get("from")]
        # only the latest-rule indicator's single period is asked for
        assert asked == [{"granularity": ["year"], "from": ["2025"], "to": ["2025"]}]

    async def test_one_node_down_and_one_mislabelled(self, federation: StartFederation) -> None:
        fed = await federation(three_nodes(fi="mislabelled"), stopped=("nl",))
        body = await get(fed, "/profile", period="2025")
        assert body["partial"] is True
        reasons = {o["node"]: (o["status"], o["reason"]) for o in body["nodes"]}
        assert reasons == {
            "de": ("ok", None),
            "fi": ("error", "profile of another period (1999)"),
            "nl": ("error", "connection refused or unreachable"),
        }
        found = {i["code"]: i["value"] for p in body["pathways"] for i in p["indicators"]}
        assert found == {DATASETS.code: 12.0, FAIR.code: 0.5, PEAK.code: 30.0, FTE.code: 4.0}

    async def test_a_conflicting_value_is_left_out_and_named(
        self, federation: StartFederation
    ) -> None:
        nodes = three_nodes()
        odd = SimIndicator(PEAK.code, "sum", unit="people", pathway="skills_development")
        nodes["nl"].indicators = [odd if i.code == PEAK.code else i for i in CATALOGUE]
        fed = await federation(nodes)
        body = await get(fed, "/profile", period="2025")
        peak = next(i for p in body["pathways"] for i in p["indicators"] if i["code"] == PEAK.code)
        assert peak["value"] == 45.0
        assert peak["nodes"] == {"de": 30.0, "fi": 45.0}
        assert list(peak["conflicts"]) == ["nl"]
        assert "combine_nodes 'sum'" in peak["conflicts"]["nl"]
        assert body["partial"] is True
        nl = next(o for o in body["nodes"] if o["node"] == "nl")
        assert (nl["status"], nl["conflicts"]) == ("ok", [PEAK.code])

    async def test_a_profile_value_of_an_undefined_indicator_is_refused(
        self, federation: StartFederation
    ) -> None:
        class Ghostly(SimNode):
            def impact(self, path: str, params: dict[str, list[str]]) -> dict[str, Any] | None:
                answer = super().impact(path, params)
                if answer is not None and path == "/api/v1/profile":
                    ghost = {"code": "ghost.indicator", "value": 1.0, "unit": "records"}
                    answer["pathways"][0]["indicators"].append(ghost)
                return answer

        nodes = three_nodes()
        nodes["de"] = Ghostly(indicators=list(CATALOGUE), values=list(VALUES["de"]))
        fed = await federation(nodes)
        # de's profile names an indicator its own catalogue does not define
        body = await get(fed, "/profile", period="2025")
        de = next(o for o in body["nodes"] if o["node"] == "de")
        assert (de["status"], de["reason"]) == (
            "error",
            "profile value of an undefined indicator ghost.indicator",
        )
        assert all("de" not in i["nodes"] for p in body["pathways"] for i in p["indicators"])


class TestCache:
    async def test_identical_requests_are_answered_from_the_cache(
        self, federation: StartFederation
    ) -> None:
        fed = await federation(three_nodes(), cache_ttl_s=60)
        first = await get(fed, f"/indicators/{DATASETS.code}")
        calls = len(fed.nodes["de"].calls)
        assert await get(fed, f"/indicators/{DATASETS.code}") == first
        assert len(fed.nodes["de"].calls) == calls
        await get(fed, f"/indicators/{DATASETS.code}", granularity="quarter")
        assert len(fed.nodes["de"].calls) > calls
        text = (await fed.client.get("/metrics")).text
        assert 'gateway_impact_cache_total{result="hit"} 1.0' in text

    async def test_partial_answers_are_not_cached(self, federation: StartFederation) -> None:
        fed = await federation(three_nodes(fi="fail"), cache_ttl_s=60)
        await get(fed, "/profile", period="2025")
        calls = len(fed.nodes["de"].calls)
        await get(fed, "/profile", period="2025")
        assert len(fed.nodes["de"].calls) > calls


def test_the_known_values_are_what_the_rules_say() -> None:
    # guards the fixtures: the totals asserted above follow from VALUES
    assert by_rule("sum", node_values(["de", "fi", "nl"], DATASETS.code, "2025")) == 40
    assert math.isclose(by_rule("mean", node_values(["de", "fi", "nl"], FAIR.code, "2025")), 0.75)
    assert by_rule("latest", node_values(["de", "fi", "nl"], FTE.code, "2025")) == 6.5

"""The federated impact rules on their own: periods, combination, the federation's definition."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from converge_gateway.fanout.engine import NodeAnswerInvalid
from converge_gateway.impact.answers import NodeIndicator, NodeSeries, NodeValue, check_series
from converge_gateway.impact.combine import agree, combine
from converge_gateway.impact.periods import granularity_of, period_key


def indicator(**kw: Any) -> NodeIndicator:
    body = {
        "code": "records.datasets.published",
        "name": "Datasets published",
        "pathway": "resource_uptake",
        "type": "output",
        "unit": "records",
        "combine_nodes": "sum",
        "combine_periods": "latest",
        "source": "derived",
        "scope": "federation",
        **kw,
    }
    return NodeIndicator.model_validate(body)


def at(day: int) -> datetime:
    return datetime(2026, 1, day, tzinfo=UTC)


class TestPeriods:
    @pytest.mark.parametrize(
        ("period", "granularity"),
        [
            ("2025", "year"),
            ("2025-Q4", "quarter"),
            ("2025-12", "month"),
            ("2025-13", None),
            ("2025-Q5", None),
            ("25", None),
            ("2025-1", None),
        ],
    )
    def test_granularity(self, period: str, granularity: str | None) -> None:
        assert granularity_of(period) == granularity

    def test_order(self) -> None:
        assert sorted(["2025-10", "2025-02", "2024-12"], key=period_key) == [
            "2024-12",
            "2025-02",
            "2025-10",
        ]
        with pytest.raises(ValueError, match="not a period"):
            period_key("2025-W01")


class TestCombine:
    values = {
        "fi": NodeValue(6.0, at(2)),
        "de": NodeValue(1.5, at(9)),
        "nl": NodeValue(2.5, None),
    }

    @pytest.mark.parametrize(
        ("rule", "value", "latest"),
        [("sum", 10.0, None), ("mean", 10.0 / 3, None), ("max", 6.0, None), ("latest", 1.5, "de")],
    )
    def test_rules(self, rule: Any, value: float, latest: str | None) -> None:
        combined = combine(rule, self.values)
        assert combined.value == pytest.approx(value)
        assert combined.latest_node == latest
        assert list(combined.nodes) == ["de", "fi", "nl"]

    def test_sum_is_exactly_rounded(self) -> None:
        values = {f"n{i}": NodeValue(0.1, None) for i in range(10)}
        assert combine("sum", values).value == 1.0

    def test_latest_without_times_goes_to_the_lowest_node_id(self) -> None:
        values = {"nl": NodeValue(3.0, None), "de": NodeValue(7.0, None)}
        assert combine("latest", values).latest_node == "de"
        values["nl"] = NodeValue(3.0, at(1))  # any time beats none
        assert combine("latest", values).latest_node == "nl"

    def test_latest_with_equal_times_goes_to_the_lowest_node_id(self) -> None:
        values = {"se": NodeValue(3.0, at(4)), "fi": NodeValue(7.0, at(4))}
        assert combine("latest", values).value == 7.0


class TestAgreement:
    def test_all_agree(self) -> None:
        agreement = agree({"fi": indicator(), "de": indicator(name="Other name")})
        assert agreement.nodes == ["de", "fi"]
        assert agreement.conflicts == {}
        assert agreement.definition.name == "Other name"  # the lowest Node id's wording

    def test_majority_then_lowest_id(self) -> None:
        odd = indicator(combine_periods="sum")
        agreement = agree({"de": odd, "fi": indicator(), "nl": indicator()})
        assert agreement.nodes == ["fi", "nl"]
        assert agreement.conflicts == {
            "de": "defined differently: combine_periods 'sum' (federation: 'latest')"
        }
        tie = agree({"nl": indicator(), "fi": odd})
        assert tie.nodes == ["fi"]

    def test_the_shared_catalogue_first(self) -> None:
        local = indicator(scope="node", unit="datasets")
        agreement = agree({"de": local, "fi": local, "nl": indicator()})
        assert agreement.nodes == ["nl"]
        assert set(agreement.conflicts) == {"de", "fi"}


class TestSeriesChecks:
    def series(self, *periods: str, **kw: Any) -> NodeSeries:
        body = {
            "indicator": "records.datasets.published",
            "granularity": "month",
            "unit": "records",
            "points": [{"period": p, "value": 1, "source": "reported"} for p in periods],
            **kw,
        }
        return NodeSeries.model_validate(body)

    def check(self, series: NodeSeries, **kw: Any) -> dict[str, NodeValue]:
        args: dict[str, Any] = {
            "code": "records.datasets.published",
            "granularity": "month",
            "unit": "records",
            "start": None,
            "end": None,
            **kw,
        }
        return check_series(series, **args)

    def test_accepted(self) -> None:
        assert list(self.check(self.series("2025-01", "2025-02"))) == ["2025-01", "2025-02"]

    @pytest.mark.parametrize(
        ("series", "kw", "reason"),
        [
            ({"periods": ("2025-02", "2025-01")}, {}, "out of order or repeated"),
            ({"periods": ("2025-01", "2025-01")}, {}, "out of order or repeated"),
            ({"periods": ("2025",)}, {}, "is not a month"),
            ({"periods": ("2025-01",)}, {"start": "2025-02"}, "outside the range"),
            ({"periods": ("2025-03",)}, {"end": "2025-02"}, "outside the range"),
            ({"periods": (), "granularity": "year"}, {}, "series by year"),
            ({"periods": (), "unit": "FTE"}, {}, "unit differs"),
            ({"periods": (), "indicator": "other"}, {}, "another indicator"),
        ],
    )
    def test_refused(self, series: dict[str, Any], kw: dict[str, Any], reason: str) -> None:
        periods = series.pop("periods")
        with pytest.raises(NodeAnswerInvalid, match=reason):
            self.check(self.series(*periods, **series), **kw)

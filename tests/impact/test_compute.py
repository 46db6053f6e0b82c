"""Derivations as pure functions: known inputs, exact answers."""

from __future__ import annotations

from datetime import UTC, datetime

from converge_impact.derived.clients import FairSummary, Transition
from converge_impact.derived.compute import from_fair, from_histories


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _t(state: str, at: str) -> Transition:
    return Transition(from_state=None, to_state=state, at=_at(at))  # type: ignore[arg-type]


class TestAvailability:
    def test_cut_at_month_boundaries_and_unknown_is_not_observed(self) -> None:
        history = [
            _t("unknown", "2025-01-31T00:00:00"),
            _t("active", "2025-01-31T12:00:00"),
            _t("unreachable", "2025-02-01T00:00:00"),
            _t("degraded", "2025-02-01T03:00:00"),
        ]
        derived = from_histories([history], source="registry", now=_at("2025-02-01T06:00:00"))
        values = {f.period: f.value for f in derived.figures}
        # January: 12 h active of 12 h observed; February: 3 h degraded of 6 h observed
        assert values == {"2025-01": 100.0, "2025-02": 50.0}
        assert derived.replaces == {"service.availability"}

    def test_services_are_summed_and_retired_time_is_not_observed(self) -> None:
        metadata = [_t("active", "2025-03-01T00:00:00")]
        impact = [
            _t("unreachable", "2025-03-01T00:00:00"),
            _t("retired", "2025-03-01T02:00:00"),
        ]
        derived = from_histories(
            [metadata, impact], source="registry", now=_at("2025-03-01T06:00:00")
        )
        # 6 h up of 6 + 2 h observed
        assert [(f.period, f.value) for f in derived.figures] == [("2025-03", 75.0)]


class TestFair:
    def test_deciles_into_bands(self) -> None:
        histogram = {f"{i / 10:.1f}-{(i + 1) / 10:.1f}": i + 1 for i in range(10)}
        summary = FairSummary(records=sum(histogram.values()), mean_score=0.61, histogram=histogram)
        derived = from_fair(summary, source="metadata", now=_at("2025-06-15T00:00:00"))
        values = {f.code: (f.period, f.value) for f in derived.figures}
        assert values == {
            "fair.score.mean": ("2025-06", 0.61),
            "fair.records.low": ("2025-06", 1 + 2 + 3 + 4 + 5),
            "fair.records.medium": ("2025-06", 6 + 7 + 8),
            "fair.records.high": ("2025-06", 9 + 10),
        }

"""When the next probe is due: one interval for a healthy service, a short confirmation delay
while a failure is being confirmed, and exponentially longer for an unreachable one."""

from __future__ import annotations

from datetime import UTC, datetime

from converge_registry.health.service import next_probe_at
from converge_registry.health.states import backoff_factor
from converge_registry.settings import RegistrySettings

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def settings(**values: object) -> RegistrySettings:
    base = {"probe_interval_s": 120.0, "probe_confirm_s": 5.0, "probe_jitter": 0.0}
    return RegistrySettings.model_validate(base | values)


def delay(config: RegistrySettings, failures: int) -> float:
    return (next_probe_at(config, now=NOW, failures=failures) - NOW).total_seconds()


def test_a_healthy_service_is_probed_once_an_interval() -> None:
    assert delay(settings(), 0) == 120.0


def test_a_failure_is_confirmed_within_seconds_not_intervals() -> None:
    config = settings(unreachable_after=3)
    assert [delay(config, failures) for failures in (1, 2)] == [5.0, 5.0]
    # a stopped service: first failed probe within one interval, unreachable two probes later
    assert delay(config, 0) + delay(config, 1) + delay(config, 2) == 130.0


def test_the_confirmation_is_never_slower_than_an_interval() -> None:
    assert delay(settings(probe_interval_s=2.0, probe_confirm_s=30.0), 1) == 2.0


def test_an_unreachable_service_is_probed_less_and_less_often() -> None:
    config = settings(unreachable_after=3, probe_max_backoff_s=3600.0)
    assert [delay(config, failures) for failures in (3, 4, 5)] == [240.0, 480.0, 960.0]
    assert delay(config, 40) == 3600.0


def test_one_probe_is_enough_when_the_threshold_is_one() -> None:
    assert backoff_factor(1, unreachable_after=1, cap=30.0, confirm=0.1) == 2.0

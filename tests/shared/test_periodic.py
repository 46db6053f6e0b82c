"""``converge_common.periodic.PeriodicTask``: rounds, waking, errors, and a bounded stop.

The interval is an hour throughout, so every round here runs because the test asked for it.
"""

from __future__ import annotations

import asyncio
import logging

import pytest
from converge_common.periodic import PeriodicTask

HOUR = 3600.0


class Rounds:
    """A round function that counts, can be held, and can be told to fail."""

    def __init__(self, *, fail_first: int = 0, delays: list[float | None] | None = None) -> None:
        self.count = 0
        self.fail_first = fail_first
        self.delays = list(delays or [])
        self.hold: asyncio.Event | None = None
        self.entered = asyncio.Event()
        self.finished = 0
        self.cancelled = False
        self.reached: dict[int, asyncio.Event] = {}

    def at(self, count: int) -> asyncio.Event:
        return self.reached.setdefault(count, asyncio.Event())

    async def __call__(self) -> float | None:
        self.count += 1
        self.entered.set()
        self.at(self.count).set()
        if self.hold is not None:
            try:
                await self.hold.wait()
            except asyncio.CancelledError:
                self.cancelled = True
                raise
        if self.count <= self.fail_first:
            raise RuntimeError(f"round {self.count} broke")
        self.finished += 1
        return self.delays.pop(0) if self.delays else None


async def test_a_round_runs_at_start_and_each_time_one_is_asked_for() -> None:
    rounds = Rounds()
    task = PeriodicTask(rounds, name="t", interval_s=HOUR)
    task.start()
    try:
        await task.next_round()
        assert rounds.count == 1
        await task.next_round()
        await task.next_round()
        assert rounds.count == 3
    finally:
        await task.stop()
    assert not task.running


async def test_a_failing_round_is_logged_and_the_loop_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    rounds = Rounds(fail_first=2)
    task = PeriodicTask(rounds, name="t", interval_s=HOUR, failure_event="t_failed")
    with caplog.at_level(logging.ERROR, logger="converge.periodic"):
        task.start()
        try:
            for _ in range(3):
                await task.next_round()
        finally:
            await task.stop()
    assert (rounds.count, rounds.finished) == (3, 1)
    failures = [r for r in caplog.records if getattr(r, "event", None) == "t_failed"]
    assert len(failures) == 2
    assert failures[0].exc_info is not None
    assert "round 1 broke" in str(failures[0].exc_info[1])


async def test_a_returned_delay_of_zero_runs_the_next_round_at_once() -> None:
    rounds = Rounds(delays=[0.0, 0.0])
    task = PeriodicTask(rounds, name="t", interval_s=HOUR)
    task.start()
    try:
        async with asyncio.timeout(30):  # a safety net, not a measurement
            await rounds.at(3).wait()
    finally:
        await task.stop()
    assert rounds.count == 3


async def test_a_wake_during_a_round_is_not_lost() -> None:
    rounds = Rounds()
    rounds.hold = asyncio.Event()
    task = PeriodicTask(rounds, name="t", interval_s=HOUR)
    task.start()
    try:
        await rounds.entered.wait()
        task.wake()
        rounds.hold.set()
        async with asyncio.timeout(30):
            await rounds.at(2).wait()
    finally:
        await task.stop()
    assert rounds.count == 2


async def test_stop_lets_the_current_round_finish() -> None:
    rounds = Rounds()
    rounds.hold = asyncio.Event()
    task = PeriodicTask(rounds, name="t", interval_s=HOUR, stop_timeout_s=60)
    task.start()
    await rounds.entered.wait()
    stopping = asyncio.create_task(task.stop())
    await asyncio.sleep(0)  # let stop() begin waiting (an ordering step, not a timing)
    assert not stopping.done()
    rounds.hold.set()
    await stopping
    assert (rounds.finished, rounds.cancelled) == (1, False)
    assert rounds.count == 1  # no round after the stop


async def test_stop_cancels_a_round_that_overruns_its_bound(
    caplog: pytest.LogCaptureFixture,
) -> None:
    rounds = Rounds()
    rounds.hold = asyncio.Event()  # never set
    task = PeriodicTask(rounds, name="t", interval_s=HOUR, stop_timeout_s=0)
    task.start()
    await rounds.entered.wait()
    with caplog.at_level(logging.WARNING, logger="converge.periodic"):
        await task.stop()
    assert (rounds.finished, rounds.cancelled) == (0, True)
    assert any(getattr(r, "event", None) == "periodic_stop_timeout" for r in caplog.records)
    assert not task.running


async def test_next_round_on_a_task_that_is_not_running_is_an_error() -> None:
    task = PeriodicTask(Rounds(), name="t", interval_s=HOUR)
    with pytest.raises(RuntimeError, match="not running"):
        await task.next_round()

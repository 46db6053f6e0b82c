"""A background task that runs one round of work, waits, and runs the next.

Every periodic job of the services (the registry's prober and webhook sender, the metadata
usage recorder, the impact deriver, the registration heartbeat, the gateway's directory watch)
is one of these, so start, stop, error handling and waking are written once:

- a round returns how long to wait before the next one (``None``: the task's interval);
- an exception in a round is logged and the loop goes on after ``retry_s``;
- :meth:`PeriodicTask.wake` ends the wait early (a wake-up during a round is not lost);
- :meth:`PeriodicTask.stop` lets the current round finish, up to ``stop_timeout_s``, then
  cancels it;
- :meth:`PeriodicTask.next_round` wakes the task and returns once a round begun after the
  call has finished, so tests wait for an event instead of sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

__all__ = ["PeriodicTask", "Round"]

logger = logging.getLogger("converge.periodic")

Round = Callable[[], Awaitable[float | None]]
"""One round of work; returns the seconds to wait before the next, or ``None`` for the interval."""


class PeriodicTask:
    def __init__(
        self,
        run_round: Round,
        *,
        name: str,
        interval_s: float,
        retry_s: float | None = None,
        stop_timeout_s: float = 5.0,
        failure_event: str | None = None,
        log: logging.Logger | None = None,
    ) -> None:
        self._run_round = run_round
        self.name = name
        self.interval_s = interval_s
        self.retry_s = interval_s if retry_s is None else retry_s
        self.stop_timeout_s = stop_timeout_s
        self._failure_event = failure_event or f"{name}_round_failed"
        self._log = log or logger
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._started = 0
        self._finished = 0
        self._progress = asyncio.Condition()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if self.running:
            raise RuntimeError(f"{self.name} is already running")
        self._stopping = False
        self._task = asyncio.create_task(self._loop(), name=self.name)

    def wake(self) -> None:
        """Run the next round now (or as soon as the current one ends)."""
        self._wake.set()

    async def next_round(self) -> None:
        """Wake the task; return once a round that began after this call has finished."""
        if not self.running:
            raise RuntimeError(f"{self.name} is not running")
        target = self._started + 1
        self.wake()
        async with self._progress:
            await self._progress.wait_for(lambda: self._finished >= target or not self.running)

    async def stop(self) -> None:
        """Let the current round finish (up to ``stop_timeout_s``), then end the task."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._wake.set()
        done, _ = await asyncio.wait({task}, timeout=self.stop_timeout_s)
        if not done:
            self._log.warning(
                "%s did not finish its round within %.1f s; cancelled",
                self.name,
                self.stop_timeout_s,
                extra={"event": "periodic_stop_timeout"},
            )
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _loop(self) -> None:
        try:
            await self._rounds()
        finally:
            # a waiter in next_round re-checks (and sees the task gone) even after a cancel
            async with self._progress:
                self._progress.notify_all()

    async def _rounds(self) -> None:
        while not self._stopping:
            self._wake.clear()
            self._started += 1
            try:
                delay = await self._run_round()
            except Exception:
                self._log.exception(
                    "%s round failed", self.name, extra={"event": self._failure_event}
                )
                delay = self.retry_s
            async with self._progress:
                self._finished += 1
                self._progress.notify_all()
            if delay is None:
                delay = self.interval_s
            if self._stopping:
                break
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(delay):
                        await self._wake.wait()

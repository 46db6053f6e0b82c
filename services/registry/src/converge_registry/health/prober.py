"""The prober: one background task that probes every watched service's ``/readyz``.

The schedule lives in the database (``next_probe_at``, indexed): each round takes the due
rows in order, probes them with bounded concurrency through the SSRF-guarded client, and
writes the results in one transaction. Between rounds the task sleeps until the next due
time (at most one tick), or until a registration wakes it. Idle cost is one indexed query
per tick plus the probes themselves.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from datetime import datetime, timedelta

import httpx
from converge_common.db import Database, utcnow
from converge_common.http import HttpLimits, fetch
from converge_common.periodic import PeriodicTask
from converge_common.ssrf import UnsafeTarget

from converge_registry.health import repository
from converge_registry.health.service import apply_probe, quiet_probe_update, set_state
from converge_registry.health.states import ProbeOutcome, ProbeResult, State
from converge_registry.settings import RegistrySettings

__all__ = ["Prober"]

logger = logging.getLogger("converge.registry.prober")


class Prober:
    def __init__(self, db: Database, client: httpx.AsyncClient, settings: RegistrySettings) -> None:
        self.db = db
        self.client = client
        self.settings = settings
        timeout = settings.probe_timeout_s
        self.limits = HttpLimits(
            connect_s=min(timeout, settings.http_connect_timeout_s),
            read_s=timeout,
            total_s=timeout,
            max_bytes=settings.probe_max_bytes,
            retries=0,
        )
        self._semaphore = asyncio.Semaphore(settings.probe_concurrency)
        self.task = PeriodicTask(
            self._round,
            name="registry-prober",
            interval_s=settings.probe_tick_s,
            retry_s=settings.probe_tick_s * 5,
            failure_event="probe_round_failed",
            log=logger,
        )
        self._last_sweep = float("-inf")

    def wake(self) -> None:
        """A registration or a returning service: look at the schedule now."""
        self.task.wake()

    async def probe(self, base_url: str) -> ProbeOutcome:
        url = base_url.rstrip("/") + "/readyz"
        async with self._semaphore:
            started = time.perf_counter()
            try:
                response = await fetch(self.client, "GET", url, limits=self.limits)
            except UnsafeTarget as exc:
                return ProbeOutcome(ProbeResult.FAILED, error=f"refused target: {exc}")
            except (httpx.HTTPError, OSError) as exc:
                return ProbeOutcome(ProbeResult.FAILED, error=type(exc).__name__)
            latency_ms = (time.perf_counter() - started) * 1000
        status = response.status_code
        if status == 503:
            return ProbeOutcome(ProbeResult.UNAVAILABLE, status, latency_ms)
        if status != 200:
            return ProbeOutcome(ProbeResult.FAILED, status, latency_ms, f"HTTP {status}")
        if latency_ms > self.settings.probe_slow_ms:
            return ProbeOutcome(ProbeResult.SLOW, status, latency_ms)
        return ProbeOutcome(ProbeResult.OK, status, latency_ms)

    async def _record(self, ids: Sequence[int], outcomes: Sequence[ProbeOutcome]) -> None:
        by_id = dict(zip(ids, outcomes, strict=True))
        now = utcnow()
        async for session in self.db.session():
            quiet: list[dict[str, object]] = []
            changing: list[int] = []
            for service_id, state, failures, seen in await repository.probe_states(session, ids):
                if state == State.RETIRED:
                    continue
                values = quiet_probe_update(
                    service_id,
                    state,
                    failures,
                    seen,
                    by_id[service_id],
                    settings=self.settings,
                    now=now,
                )
                if values is None:
                    changing.append(service_id)
                else:
                    quiet.append(values)
            await repository.update_probed(session, quiet)
            if changing:
                for instance in await repository.services_by_ids(session, changing):
                    await apply_probe(
                        session, instance, by_id[instance.id], settings=self.settings, now=now
                    )

    async def run_round(self, *, force: bool = False) -> int:
        """Probe what is due (everything watched with ``force``); returns how many."""
        batch = self.settings.probe_concurrency * 5
        async with self.db.sessionmaker() as session:
            due = await repository.due_services(
                session, now=None if force else utcnow(), limit=10_000 if force else batch
            )
        if due:
            outcomes = await asyncio.gather(*(self.probe(url) for _id, url in due))
            await self._record([service_id for service_id, _url in due], outcomes)
        await self._sweep(force=force)
        return len(due)

    async def _sweep(self, *, force: bool) -> None:
        """Nothing heard within the window: unreachable (matters when probing is off)."""
        window = self.settings.heartbeat_window_s
        if not force and time.monotonic() - self._last_sweep < min(window / 6, 30):
            return
        self._last_sweep = time.monotonic()
        now = utcnow()
        async for session in self.db.session():
            stale = await repository.stale_services(
                session, seen_before=now - timedelta(seconds=window)
            )
            for instance in stale:
                reason = f"no heartbeat or successful probe within {window:.0f} s"
                await set_state(session, instance, State.UNREACHABLE, reason, now=now)

    async def _sleep_s(self) -> float:
        async with self.db.sessionmaker() as session:
            earliest: datetime | None = await repository.earliest_due(session)
        tick = self.settings.probe_tick_s
        if earliest is None:
            return tick * 5
        return max(tick, min(tick * 5, (earliest - utcnow()).total_seconds()))

    async def _round(self) -> float:
        probed = await self.run_round()
        # a full batch: more are due, go on at once
        return 0.0 if probed >= self.settings.probe_concurrency * 5 else await self._sleep_s()

    def start(self) -> None:
        self.task.start()

    async def stop(self) -> None:
        await self.task.stop()

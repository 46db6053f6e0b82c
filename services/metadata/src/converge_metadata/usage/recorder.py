"""Recording usage events without slowing or failing the request that caused them.

A request appends one tuple to a bounded in-memory queue (O(1), no I/O, cannot raise); a
background task owned by the lifespan writes the queue in batches. When the queue is full the
event is dropped and counted (``converge_metadata_usage_events{outcome="dropped"}``): a
reader's page never waits for the database. Client addresses are hashed at write time under
the day's salt and never stored; they live only in memory until the next flush (at most
``usage_flush_interval_s``).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Literal

from converge_common.db import Database
from converge_common.periodic import PeriodicTask
from fastapi import Depends, FastAPI, Request
from prometheus_client import CollectorRegistry, Counter

from converge_metadata.settings import MetadataSettings
from converge_metadata.usage import service

__all__ = ["Channel", "PendingEvent", "RecorderDep", "UsageRecorder", "usage_lifespan"]

logger = logging.getLogger("converge.metadata.usage")

Channel = Literal["api", "jsonld", "datacite", "rdf", "landing", "dcat", "oai", "download"]
MAX_USER_AGENT = 512


@dataclass(frozen=True, slots=True)
class PendingEvent:
    occurred_at: datetime
    record_id: str
    record_version: int | None
    kind: str
    channel: str
    distribution: int | None
    client_ip: str
    user_agent: str
    user: str | None
    session_cookie: str | None


class UsageRecorder:
    """The per-process queue of events and the task that writes them."""

    def __init__(
        self,
        *,
        db: Database | None,
        enabled: bool,
        queue_max: int,
        batch_size: int,
        flush_interval_s: float,
        session_cookie: str,
        counter: Counter,
    ) -> None:
        self.enabled = enabled and db is not None
        self._db = db
        self._queue: deque[PendingEvent] = deque()
        self._queue_max = queue_max
        self._batch_size = batch_size
        self._interval = flush_interval_s
        self._cookie = session_cookie
        self._counter = counter
        self._salts = service.SaltCache()
        # flushes every interval, or at once when a batch is full
        self.task = PeriodicTask(
            self._round,
            name="usage-recorder",
            interval_s=flush_interval_s,
            failure_event="usage_flush_failed",
            log=logger,
        )

    # --- the request side: never awaits, never raises -------------------------------------

    def record(
        self,
        request: Request,
        *,
        record_id: str,
        channel: Channel,
        kind: Literal["investigation", "request"] = "investigation",
        version: int | None = None,
        distribution: int | None = None,
    ) -> None:
        if not self.enabled:
            return
        if len(self._queue) >= self._queue_max:
            self._counter.labels("dropped").inc()
            return
        principal = getattr(request.state, "principal", None)
        client = request.client
        headers = request.headers
        self._queue.append(
            PendingEvent(
                occurred_at=datetime.now(UTC),
                record_id=record_id,
                record_version=version,
                kind=kind,
                channel=channel,
                distribution=distribution,
                client_ip=client.host if client else "",
                user_agent=headers.get("user-agent", "")[:MAX_USER_AGENT],
                user=getattr(principal, "subject", None),
                session_cookie=request.cookies.get(self._cookie) if self._cookie else None,
            )
        )
        if len(self._queue) >= self._batch_size:
            self.task.wake()

    @property
    def pending(self) -> int:
        return len(self._queue)

    # --- the background side ----------------------------------------------------------------

    async def flush(self) -> int:
        """Write what is queued now; returns how many events were written."""
        written = 0
        while self._queue and self._db is not None:
            batch = [self._queue.popleft() for _ in range(min(self._batch_size, len(self._queue)))]
            try:
                async for session in self._db.session():
                    await service.store_events(session, batch, salts=self._salts)
            except Exception as exc:
                # the events are lost, the service goes on: usage must never take it down
                self._counter.labels("failed").inc(len(batch))
                logger.warning(
                    "usage events not written: %s: %s",
                    type(exc).__name__,
                    exc,
                    extra={"event": "usage_write_failed"},
                )
                continue
            self._counter.labels("recorded").inc(len(batch))
            written += len(batch)
        return written

    async def _round(self) -> None:
        await self.flush()

    def start(self) -> None:
        if self.enabled:
            self.task.start()

    async def stop(self) -> None:
        await self.task.stop()
        await self.flush()  # what came in during the last round
        await self.flush()


def _counter(app: FastAPI) -> Counter:
    # once per application and registry, however often its lifespan runs
    counter: Counter | None = getattr(app.state, "usage_counter", None)
    if counter is None:
        registry: CollectorRegistry = app.state.metrics_registry
        counter = Counter(
            "converge_metadata_usage_events",
            "Usage events by outcome: recorded, dropped (queue full) or failed (write error)",
            ["outcome"],
            registry=registry,
        )
        app.state.usage_counter = counter
    return counter


@asynccontextmanager
async def usage_lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: MetadataSettings = app.state.settings
    recorder = UsageRecorder(
        db=getattr(app.state, "db", None),
        enabled=settings.usage_recording,
        queue_max=settings.usage_queue_max,
        batch_size=settings.usage_batch_size,
        flush_interval_s=settings.usage_flush_interval_s,
        session_cookie=settings.usage_session_cookie,
        counter=_counter(app),
    )
    app.state.usage = recorder
    recorder.start()
    try:
        yield
    finally:
        await recorder.stop()


def _recorder(request: Request) -> UsageRecorder:
    recorder: UsageRecorder = request.app.state.usage
    return recorder


RecorderDep = Annotated[UsageRecorder, Depends(_recorder)]

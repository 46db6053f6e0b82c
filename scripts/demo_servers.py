"""Several ASGI apps served by uvicorn in one process and one event loop, each on its own port:
the demo pays the interpreter's start and the imports (FastAPI, SQLAlchemy, rdflib, …) once
instead of once per service. Readiness is each server's own start-up (lifespan done, socket
bound) as an event, not a poll; stopping is in stages, each awaited."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import Any

import uvicorn

__all__ = ["AppServer", "ServerFailed", "start", "stop_in_stages"]


class ServerFailed(Exception):
    """A server did not start (its lifespan failed or its port was taken)."""


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signals to its host and says when it has started."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = asyncio.Event()

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield  # the demo handles SIGINT, SIGTERM and SIGHUP and stops every server in order

    async def startup(self, sockets: list[Any] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self.ready.set()


@dataclass
class AppServer:
    name: str
    app: Any
    host: str
    port: int
    server: _Server | None = None
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()


async def _serve(server: _Server) -> None:
    try:
        await server.serve()
    except SystemExit as exc:  # uvicorn exits the process when a lifespan fails
        raise ServerFailed(f"start-up failed (exit {exc.code})") from None


async def start(servers: Sequence[AppServer]) -> None:
    """Start ``servers`` together; return when every one has started, raise
    :class:`ServerFailed` naming those that ended instead."""
    for entry in servers:
        config = uvicorn.Config(
            entry.app, host=entry.host, port=entry.port, log_level="warning", lifespan="on"
        )
        entry.server = _Server(config)
        entry.task = asyncio.create_task(_serve(entry.server), name=entry.name)
    waits = {
        asyncio.ensure_future(e.server.ready.wait()): e for e in servers if e.server is not None
    }
    pending = set(waits)
    ends = {e.task for e in servers if e.task is not None}
    failed: list[str] = []
    while pending:
        done, _ = await asyncio.wait(pending | ends, return_when=asyncio.FIRST_COMPLETED)
        pending -= done
        for task in done & ends:
            ends.discard(task)
            name = task.get_name()
            if not any(waits[w].name == name and w.done() for w in waits):
                failed.append(name)
                for wait in [w for w in pending if waits[w].name == name]:
                    wait.cancel()
                    pending.discard(wait)
    if failed:
        raise ServerFailed(f"did not start: {', '.join(failed)}")


async def _stop(entries: Sequence[AppServer], timeout_s: float) -> None:
    for entry in entries:
        if entry.server is not None:
            entry.server.should_exit = True
    tasks = [e.task for e in entries if e.task is not None]
    if not tasks:
        return
    _, late = await asyncio.wait(tasks, timeout=timeout_s)
    for entry in entries:
        if entry.task in late and entry.server is not None:
            entry.server.force_exit = True
    if late:
        await asyncio.wait(late, timeout=timeout_s)
    for task in tasks:
        if task.done() and not task.cancelled():
            task.exception()  # retrieved: a failed start was reported already


async def stop_in_stages(stages: Sequence[Sequence[AppServer]], *, timeout_s: float) -> None:
    """Stop each stage's servers together (their lifespans end: deregistration, flushes), one
    stage after the other."""
    for stage in stages:
        await _stop(stage, timeout_s)

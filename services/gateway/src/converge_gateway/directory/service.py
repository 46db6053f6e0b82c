"""The Node directory: loaded from the registry, kept current from its change feed.

The gateway keeps the last directory it loaded (and, when configured, a copy on disk), so a
registry that is down or unreachable leaves the federation searchable as it last knew it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from converge_common.periodic import PeriodicTask

from converge_gateway.directory.client import RegistryClient, RegistryUnavailable
from converge_gateway.directory.schemas import NodeEntry

__all__ = ["NodeDirectory", "watching"]

logger = logging.getLogger("converge.gateway.directory")


class NodeDirectory:
    """The Nodes the gateway may call, and how current that knowledge is."""

    def __init__(
        self,
        client: RegistryClient | None,
        *,
        callable_states: Sequence[str],
        wait_s: float,
        retry_max_s: float,
        snapshot_path: Path | None = None,
    ) -> None:
        self._client = client
        self.callable_states = tuple(callable_states)
        self._wait_s = wait_s
        self.retry_max_s = retry_max_s
        self._retry_s = 0.5
        self._since: int | None = None
        self._snapshot_path = snapshot_path
        self._nodes: dict[str, NodeEntry] = {}
        self.version = 0
        self.loaded_at: float | None = None
        self.last_error: str | None = None
        self.changed = asyncio.Event()

    @property
    def client(self) -> RegistryClient | None:
        """The registry's API, for what the gateway reads on demand (availability, history)."""
        return self._client

    @property
    def nodes(self) -> list[NodeEntry]:
        return list(self._nodes.values())

    def get(self, node_id: str) -> NodeEntry | None:
        return self._nodes.get(node_id)

    def replace(self, entries: Sequence[NodeEntry]) -> None:
        fresh = {e.id: e for e in sorted(entries, key=lambda e: e.id)}
        if fresh != self._nodes:
            self._nodes = fresh
            self.version += 1
            self.changed.set()
            self.changed = asyncio.Event()
        self.loaded_at = time.time()

    async def reload(self) -> None:
        if self._client is None:
            return
        self.replace(await self._client.snapshot())
        self.last_error = None
        self._save()
        logger.info(
            "directory loaded: %d nodes", len(self._nodes), extra={"event": "directory_loaded"}
        )

    def _save(self) -> None:
        if self._snapshot_path is None:
            return
        body = json.dumps([e.to_json() for e in self._nodes.values()], indent=1)
        tmp = self._snapshot_path.with_suffix(".tmp")
        try:
            self._snapshot_path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(body)
            tmp.replace(self._snapshot_path)
        except OSError as exc:
            logger.warning("cannot keep the directory on disk: %s", exc)

    def load_saved(self) -> None:
        """The last known good directory from disk, when the registry cannot be reached."""
        if self._snapshot_path is None or not self._snapshot_path.exists():
            return
        try:
            raw: list[dict[str, Any]] = json.loads(self._snapshot_path.read_text())
            self.replace([NodeEntry(**item) for item in raw])
        except (OSError, ValueError, TypeError) as exc:
            logger.warning("saved directory unreadable: %s", exc)

    async def start(self, *, first_load_timeout_s: float) -> None:
        """Load once (bounded) so the gateway starts knowing its Nodes, if it can."""
        try:
            async with asyncio.timeout(first_load_timeout_s):
                await self.reload()
        except (RegistryUnavailable, TimeoutError) as exc:
            self.last_error = str(exc) or "registry did not answer in time"
            logger.warning("registry unavailable at start: %s", self.last_error)
            self.load_saved()

    async def watch_round(self) -> float:
        """One long-poll of the change feed; reload the directory when something changed.

        Returns the wait before the next poll: none after an answer, a growing, jittered
        back-off while the registry is unavailable (the last directory is kept meanwhile)."""
        try:
            if self._since is None:
                self._since = (await self._client_or_fail().changes(-1, wait_s=0)).last_seq
                await self.reload()
            feed = await self._client_or_fail().changes(self._since, wait_s=self._wait_s)
            if feed.items:
                await self.reload()
            self._since = feed.last_seq
            self._retry_s = 0.5
            return 0.0
        except RegistryUnavailable as exc:
            self.last_error = str(exc)
            logger.warning("registry unavailable, keeping the last directory: %s", exc)
            self._since = None
            delay = self._retry_s * (0.5 + random.random())
            self._retry_s = min(self.retry_max_s, self._retry_s * 2)
            return delay

    def _client_or_fail(self) -> RegistryClient:
        if self._client is None:
            raise RuntimeError("no registry to watch")
        return self._client


@contextlib.asynccontextmanager
async def watching(directory: NodeDirectory, *, first_load_timeout_s: float) -> AsyncIterator[None]:
    """Load the directory, then follow the registry's change feed while the gateway runs."""
    await directory.start(first_load_timeout_s=first_load_timeout_s)
    if directory.client is None:
        yield
        return
    # a long-poll has nothing to finish: stopping cancels it at once
    task = PeriodicTask(
        directory.watch_round,
        name="gateway-directory-watch",
        interval_s=0.0,
        retry_s=directory.retry_max_s,
        stop_timeout_s=0.0,
        log=logger,
    )
    task.start()
    try:
        yield
    finally:
        await task.stop()

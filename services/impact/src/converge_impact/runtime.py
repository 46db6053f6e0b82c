"""The impact service's own runtime: the outgoing HTTP client, the deriver and its schedule.

Built in the lifespan; reached through :data:`RuntimeDep`. The starter catalogue is loaded
into the database at every start (idempotent).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated

import httpx
from converge_common.app import http_limits
from converge_common.db import Database
from converge_common.http import create_http_client
from converge_common.periodic import PeriodicTask
from fastapi import Depends, FastAPI, Request

from converge_impact.derived.clients import MetadataClient, RegistryClient
from converge_impact.derived.schemas import RefreshReport
from converge_impact.derived.service import Deriver
from converge_impact.indicators.catalogue import ensure_catalogue
from converge_impact.settings import ImpactSettings
from converge_impact.tokens import ClientCredentials

__all__ = ["ImpactRuntime", "RuntimeDep", "impact_lifespan"]

logger = logging.getLogger("converge.impact")


@dataclass
class ImpactRuntime:
    db: Database
    client: httpx.AsyncClient
    deriver: Deriver
    interval_s: float
    last_refresh: RefreshReport | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _task: PeriodicTask | None = None

    async def refresh(self) -> RefreshReport:
        # one refresh at a time: the schedule and an admin's request do not interleave writes
        async with self._lock:
            self.last_refresh = await self.deriver.refresh(self.db)
            return self.last_refresh

    def start(self) -> None:
        if self.interval_s > 0:
            self._task = PeriodicTask(
                self._round,
                name="impact-deriver",
                interval_s=self.interval_s,
                failure_event="derive_round_failed",
                log=logger,
            )
            self._task.start()

    async def _round(self) -> None:
        await self.refresh()

    async def stop(self) -> None:
        if self._task is not None:
            await self._task.stop()
            self._task = None


def build_deriver(settings: ImpactSettings, client: httpx.AsyncClient) -> Deriver:
    limits = http_limits(settings)
    token = ClientCredentials(
        client,
        issuer=settings.oidc_issuer,
        client_id=settings.client_id,
        client_secret=settings.client_secret.get_secret_value(),
        audience=settings.metadata_audience or settings.oidc_audience,
        scope=f"node:{settings.node_id}:steward",
        limits=limits,
    )
    metadata = (
        MetadataClient(
            client, settings.metadata_url, node_id=settings.node_id, token=token, limits=limits
        )
        if settings.metadata_url
        else None
    )
    registry = (
        RegistryClient(client, settings.registry_url, node_id=settings.node_id, limits=limits)
        if settings.registry_url
        else None
    )
    return Deriver(metadata=metadata, registry=registry)


@asynccontextmanager
async def impact_lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: ImpactSettings = app.state.settings
    db: Database = app.state.db
    async for session in db.session():
        await ensure_catalogue(session)
    client = create_http_client(http_limits(settings))
    runtime = ImpactRuntime(
        db=db,
        client=client,
        deriver=build_deriver(settings, client),
        interval_s=settings.derive_interval_s,
    )
    app.state.impact = runtime
    runtime.start()
    try:
        yield
    finally:
        await runtime.stop()
        await client.aclose()


def _runtime(request: Request) -> ImpactRuntime:
    runtime: ImpactRuntime = request.app.state.impact
    return runtime


RuntimeDep = Annotated[ImpactRuntime, Depends(_runtime)]

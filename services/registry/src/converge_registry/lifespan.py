"""Background resources of the registry: change notifier, prober, webhook sender."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from converge_common.app import http_limits
from converge_common.db import Database
from converge_common.ssrf import guarded_http_client
from fastapi import FastAPI

from converge_registry.changes.notifier import ChangeNotifier, register_notifier
from converge_registry.health.prober import Prober
from converge_registry.nodes.schemas import NodeCreate
from converge_registry.nodes.service import ensure_bootstrap_nodes
from converge_registry.settings import RegistrySettings
from converge_registry.webhooks.sender import WebhookSender

__all__ = ["registry_lifespan"]


async def _bootstrap(db: Database, settings: RegistrySettings) -> None:
    if not settings.bootstrap_nodes:
        return
    nodes = [NodeCreate.model_validate(n.model_dump()) for n in settings.bootstrap_nodes]
    async for session in db.session():
        await ensure_bootstrap_nodes(session, nodes)


@asynccontextmanager
async def registry_lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: RegistrySettings = app.state.settings
    db: Database = app.state.db
    notifier = ChangeNotifier()
    register_notifier(db.engine.sync_engine, notifier)
    app.state.change_notifier = notifier
    await _bootstrap(db, settings)
    client = guarded_http_client(
        http_limits(settings),
        allow_private=settings.allow_private_targets,
        max_connections=settings.probe_concurrency * 2,
    )
    prober = Prober(db, client, settings)
    sender = WebhookSender(db, client, notifier, settings)
    app.state.prober = prober
    app.state.webhook_sender = sender
    if settings.probe_enabled:
        prober.start()
    if settings.webhooks_enabled:
        sender.start()
    try:
        yield
    finally:
        await sender.stop()
        await prober.stop()
        await client.aclose()

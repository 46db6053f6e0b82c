"""Every router of the registry service, under ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter

from converge_registry.changes.endpoints import router as changes
from converge_registry.instances.endpoints import router as instances
from converge_registry.nodes.endpoints import router as nodes
from converge_registry.webhooks.endpoints import router as webhooks

__all__ = ["router"]

router = APIRouter(prefix="/api/v1")
for part in (nodes, instances, changes, webhooks):
    router.include_router(part)

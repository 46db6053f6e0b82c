"""Every router of the impact service, under ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter

from converge_impact.usage.endpoints import router as usage_router

__all__ = ["router"]

router = APIRouter(prefix="/api/v1")
router.include_router(usage_router)

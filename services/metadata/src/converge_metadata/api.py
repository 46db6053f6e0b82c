"""Every router of the metadata service, under ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter

from converge_metadata.publishing.api import api_router as publishing_api_router

__all__ = ["router"]

router = APIRouter(prefix="/api/v1")
router.include_router(publishing_api_router)

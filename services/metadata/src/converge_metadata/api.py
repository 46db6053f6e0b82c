"""Every router of the metadata service, under ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter

from converge_metadata.importers.endpoints import router as import_router
from converge_metadata.publishing.api import api_router as publishing_api_router
from converge_metadata.records.endpoints import router as records_router
from converge_metadata.search.endpoints import router as search_router
from converge_metadata.stats.endpoints import router as stats_router
from converge_metadata.terms.endpoints import router as terms_router
from converge_metadata.usage.endpoints import router as usage_router

__all__ = ["router"]

router = APIRouter(prefix="/api/v1")
router.include_router(records_router)
router.include_router(search_router)
router.include_router(import_router)
router.include_router(publishing_api_router)
router.include_router(stats_router)
router.include_router(usage_router)
router.include_router(terms_router)

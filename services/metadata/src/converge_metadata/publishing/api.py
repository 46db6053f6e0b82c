"""The publication routers: harvesting surfaces at the root, the FAIR API under ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter

from converge_metadata.publishing.bioschemas.endpoints import router as landing_router
from converge_metadata.publishing.dcat.endpoints import router as dcat_router
from converge_metadata.publishing.fair.endpoints import router as fair_router
from converge_metadata.publishing.oai.endpoints import router as oai_router

__all__ = ["api_router", "root_router"]

root_router = APIRouter()
root_router.include_router(oai_router)
root_router.include_router(dcat_router)
root_router.include_router(landing_router)

api_router = APIRouter()
api_router.include_router(fair_router)

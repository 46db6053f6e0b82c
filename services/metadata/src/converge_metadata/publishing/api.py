"""The publication routers: harvesting surfaces at the root, the FAIR API under ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter

from converge_metadata.publishing.oai.endpoints import router as oai_router

__all__ = ["api_router", "root_router"]

root_router = APIRouter()
root_router.include_router(oai_router)

api_router = APIRouter()

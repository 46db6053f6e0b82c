"""Every router of the gateway service: the API under ``/api/v1``, harvesting at the root."""

from __future__ import annotations

from fastapi import APIRouter

from converge_gateway.nodes.endpoints import router as nodes_router
from converge_gateway.ratelimit import RateLimited
from converge_gateway.search.endpoints import router as search_router

__all__ = ["router", "routers"]

router = APIRouter(prefix="/api/v1", dependencies=[RateLimited])
router.include_router(search_router)
router.include_router(nodes_router)

routers = [router]

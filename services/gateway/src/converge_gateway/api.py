"""Every router of the gateway service: the API under ``/api/v1``, harvesting at the root,
the portal's pages for people at ``/`` and ``/records/…``."""

from __future__ import annotations

from converge_common.ratelimit import RATE_LIMITED_RESPONSE, rate_limit
from fastapi import APIRouter

from converge_gateway.dcat.endpoints import router as dcat_router
from converge_gateway.federation.endpoints import router as federation_router
from converge_gateway.impact.endpoints import router as impact_router
from converge_gateway.nodes.endpoints import router as nodes_router
from converge_gateway.oai.endpoints import router as oai_router
from converge_gateway.people.endpoints import router as people_router
from converge_gateway.portal.experts import router as portal_experts_router
from converge_gateway.portal.impact import router as portal_impact_router
from converge_gateway.portal.pages import router as portal_router
from converge_gateway.portal.training import router as portal_training_router
from converge_gateway.records.endpoints import router as records_router
from converge_gateway.search.endpoints import router as search_router

__all__ = ["router", "routers"]

RateLimited = rate_limit("gateway", rules=lambda settings: settings.rate_limit_rules)

router = APIRouter(prefix="/api/v1", dependencies=[RateLimited], responses=RATE_LIMITED_RESPONSE)
router.include_router(search_router)
router.include_router(nodes_router)
router.include_router(federation_router)
router.include_router(records_router)
router.include_router(impact_router)
router.include_router(people_router)

# harvesting surfaces at the root, as at a Node
root_router = APIRouter(dependencies=[RateLimited], responses=RATE_LIMITED_RESPONSE)
root_router.include_router(oai_router)
root_router.include_router(dcat_router)

# the portal's pages for people, from the same services as the API
pages_router = APIRouter(dependencies=[RateLimited])
pages_router.include_router(portal_router)
pages_router.include_router(portal_impact_router)
pages_router.include_router(portal_experts_router)
pages_router.include_router(portal_training_router)

routers = [router, root_router, pages_router]

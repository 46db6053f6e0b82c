"""Every router of the impact service, under ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter

from converge_impact.bulk.endpoints import router as bulk
from converge_impact.derived.endpoints import router as derived
from converge_impact.indicators.endpoints import router as indicators
from converge_impact.reporting.endpoints import router as reporting
from converge_impact.usage.endpoints import router as usage_router
from converge_impact.values.endpoints import router as values

__all__ = ["router"]

router = APIRouter(prefix="/api/v1")
# bulk before values: /values/bulk is not /values/{value_id}
for part in (bulk, values, indicators, reporting, derived, usage_router):
    router.include_router(part)

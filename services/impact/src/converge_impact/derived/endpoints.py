"""``/api/v1/derived``: values computed from the Node's services; refreshed on demand."""

from __future__ import annotations

from typing import Annotated

from converge_common.app import SessionDep
from converge_common.auth import RequireNodeAdmin
from converge_common.errors import NotFound
from fastapi import APIRouter, Query

from converge_impact.derived import service
from converge_impact.derived.schemas import DerivedRead, RefreshReport
from converge_impact.indicators.schemas import CODE_PATTERN
from converge_impact.runtime import RuntimeDep

__all__ = ["router"]

router = APIRouter(prefix="/derived", tags=["derived values"])


@router.get("", response_model=list[DerivedRead])
async def list_derived(
    session: SessionDep,
    indicator: Annotated[str | None, Query(pattern=CODE_PATTERN, max_length=100)] = None,
) -> list[DerivedRead]:
    """Every derived value with the source it was computed from and when."""
    return await service.list_derived(session, code=indicator)


@router.post("/refresh", response_model=RefreshReport)
async def refresh_derived(runtime: RuntimeDep, principal: RequireNodeAdmin) -> RefreshReport:
    """Recompute the derived values now, source by source. Needs the Node admin role."""
    return await runtime.refresh()


@router.get("/refresh", response_model=RefreshReport)
async def last_refresh(runtime: RuntimeDep) -> RefreshReport:
    """What the last refresh (scheduled or asked for) read, and from where."""
    if runtime.last_refresh is None:
        raise NotFound("No refresh has run since the service started")
    return runtime.last_refresh

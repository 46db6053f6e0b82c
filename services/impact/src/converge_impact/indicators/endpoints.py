"""``/api/v1/indicators``: the catalogue (public) and the Node's own indicators (admins)."""

from __future__ import annotations

from typing import Annotated

from converge_common.app import SessionDep
from converge_common.auth import RequireNodeAdmin
from converge_common.openapi import problem_responses
from fastapi import APIRouter, Path, Query, Request, Response, status

from converge_impact.indicators import service
from converge_impact.indicators.schemas import (
    CODE_PATTERN,
    IndicatorCreate,
    IndicatorList,
    IndicatorRead,
    IndicatorUpdate,
)
from converge_impact.vocabulary import Pathway, Source

__all__ = ["Code", "router"]

router = APIRouter(prefix="/indicators", tags=["indicators"])
Code = Annotated[str, Path(pattern=CODE_PATTERN, max_length=100)]


@router.get("", response_model=IndicatorList)
async def list_indicators(
    session: SessionDep,
    pathway: Pathway | None = None,
    source: Source | None = None,
    scope: Annotated[str | None, Query(pattern="^(federation|node)$")] = None,
) -> IndicatorList:
    """Every indicator: the federation's shared catalogue and this Node's own."""
    rows = await service.list_all(session, pathway=pathway, source=source, scope=scope)
    return IndicatorList(items=[IndicatorRead.model_validate(r) for r in rows], total=len(rows))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=IndicatorRead,
    responses=problem_responses(409, _409="An indicator with this code exists"),
)
async def create_indicator(
    body: IndicatorCreate,
    session: SessionDep,
    principal: RequireNodeAdmin,
    request: Request,
    response: Response,
) -> IndicatorRead:
    """Add a Node indicator (reported, scope ``node``). Needs the Node admin role."""
    indicator = await service.create(session, body)
    response.headers["Location"] = str(request.url_for("read_indicator", code=indicator.code))
    return IndicatorRead.model_validate(indicator)


@router.get("/{code}", response_model=IndicatorRead)
async def read_indicator(code: Code, session: SessionDep) -> IndicatorRead:
    return IndicatorRead.model_validate(await service.get(session, code))


@router.put("/{code}", response_model=IndicatorRead)
async def update_indicator(
    code: Code, body: IndicatorUpdate, session: SessionDep, principal: RequireNodeAdmin
) -> IndicatorRead:
    """Change a Node indicator; the federation's catalogue is read-only here."""
    return IndicatorRead.model_validate(await service.update(session, code, body))

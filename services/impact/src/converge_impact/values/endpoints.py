"""``/api/v1/values``: reported values, their workflow and their history."""

from __future__ import annotations

from typing import Annotated

from converge_common.app import SessionDep
from converge_common.openapi import problem_responses
from converge_common.pagination import Page, PageRequest
from fastapi import APIRouter, Header, Path, Query, Request, Response, status

from converge_impact.dependencies import ActorDep, SettingsDep, StewardDep
from converge_impact.indicators.schemas import CODE_PATTERN
from converge_impact.models import ReportedValue
from converge_impact.values import service
from converge_impact.values.schemas import (
    ChangeRead,
    Period,
    TransitionBody,
    ValueCreate,
    ValueRead,
    ValueUpdate,
)
from converge_impact.vocabulary import ValueStatus

__all__ = ["router"]

router = APIRouter(prefix="/values", tags=["values"])
IfMatch = Annotated[str | None, Header(description="The value's ETag, from a GET")]
ValueId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _etag(response: Response, value: ReportedValue) -> None:
    response.headers["ETag"] = service.etag_of(value)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ValueRead,
    responses=problem_responses(409, _409="A value for this indicator and period exists"),
)
async def create_value(
    body: ValueCreate, session: SessionDep, actor: StewardDep, request: Request, response: Response
) -> ValueRead:
    """Report a figure (a draft). Needs the Node steward role."""
    value, indicator = await service.create(session, body, actor=actor)
    _etag(response, value)
    response.headers["Location"] = str(request.url_for("read_value", value_id=value.id))
    return service.to_read(value, indicator)


@router.get("", response_model=Page[ValueRead])
async def list_values(
    session: SessionDep,
    actor: ActorDep,
    settings: SettingsDep,
    request: Request,
    indicator: Annotated[str | None, Query(pattern=CODE_PATTERN, max_length=100)] = None,
    period: Period | None = None,
    status: Annotated[list[ValueStatus] | None, Query(description="Stewards only")] = None,
    sort: str | None = Query(default=None, description="id or updated_at; -desc"),
    limit: Annotated[int | None, Query(ge=1)] = None,
    cursor: str | None = None,
) -> Page[ValueRead]:
    """Validated values for everyone; the Node's stewards see drafts and submitted ones too."""
    page = PageRequest.parse(
        limit=limit,
        cursor=cursor,
        sort=sort,
        allowed=[s.name for s in service.SORTS],
        default_sort="id",
        default_limit=settings.page_size_default,
        max_limit=settings.page_size_max,
    )
    items, next_cursor = await service.list_values(
        session,
        actor=actor,
        page=page,
        codec=request.app.state.keyset_tokens,
        indicator=indicator,
        period=period,
        statuses=status or [],
    )
    return Page[ValueRead](items=items, next_cursor=next_cursor, limit=page.limit)


@router.get("/{value_id}", response_model=ValueRead)
async def read_value(
    value_id: ValueId, session: SessionDep, actor: ActorDep, response: Response
) -> ValueRead:
    value, indicator = await service.get(session, value_id, actor=actor)
    _etag(response, value)
    return service.to_read(value, indicator)


@router.patch("/{value_id}", response_model=ValueRead, responses=problem_responses(409, 412, 428))
async def correct_value(
    value_id: ValueId,
    body: ValueUpdate,
    session: SessionDep,
    actor: StewardDep,
    response: Response,
    if_match: IfMatch = None,
) -> ValueRead:
    """Correct a value (``If-Match`` required). A steward's correction of a submitted or
    validated value sends it back to draft; an admin's keeps its status."""
    value, indicator = await service.update(session, value_id, body, actor=actor, if_match=if_match)
    _etag(response, value)
    return service.to_read(value, indicator)


@router.post(
    "/{value_id}/submit", response_model=ValueRead, responses=problem_responses(409, 412, 428)
)
async def submit_value(
    value_id: ValueId,
    session: SessionDep,
    actor: StewardDep,
    response: Response,
    body: TransitionBody | None = None,
) -> ValueRead:
    """draft -> submitted. Needs the Node steward role."""
    value, indicator = await service.submit(
        session, value_id, actor=actor, note=body.note if body else None
    )
    _etag(response, value)
    return service.to_read(value, indicator)


@router.post(
    "/{value_id}/validate", response_model=ValueRead, responses=problem_responses(409, 412, 428)
)
async def validate_value(
    value_id: ValueId,
    session: SessionDep,
    actor: StewardDep,
    response: Response,
    body: TransitionBody | None = None,
) -> ValueRead:
    """submitted -> validated (public from now on). Needs the Node admin role."""
    value, indicator = await service.validate(
        session, value_id, actor=actor, note=body.note if body else None
    )
    _etag(response, value)
    return service.to_read(value, indicator)


@router.post(
    "/{value_id}/return", response_model=ValueRead, responses=problem_responses(409, 412, 428)
)
async def return_value(
    value_id: ValueId,
    session: SessionDep,
    actor: StewardDep,
    response: Response,
    body: TransitionBody | None = None,
) -> ValueRead:
    """submitted -> draft, with a note saying why. Needs the Node admin role."""
    value, indicator = await service.return_to_draft(
        session, value_id, actor=actor, note=body.note if body else None
    )
    _etag(response, value)
    return service.to_read(value, indicator)


@router.get("/{value_id}/history", response_model=list[ChangeRead])
async def value_history(
    value_id: ValueId, session: SessionDep, actor: StewardDep
) -> list[ChangeRead]:
    """Every change of a value, oldest first: who, when, old and new value and status."""
    changes = await service.history(session, value_id, actor=actor)
    return [ChangeRead.model_validate(c) for c in changes]

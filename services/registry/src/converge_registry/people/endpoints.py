"""``/api/v1/people``: the expert network; e-mail addresses only for authenticated callers."""

from __future__ import annotations

from typing import Annotated

from converge_common.app import SessionDep
from converge_common.auth import CurrentPrincipal, OptionalPrincipal
from converge_common.pagination import Page
from fastapi import APIRouter, Path, Query, Request, Response, status

from converge_registry.nodes.schemas import NODE_ID
from converge_registry.paging import Cursor, Limit, Sort, codec, page_request
from converge_registry.people import service
from converge_registry.people.schemas import PersonCreate, PersonRead, PersonUpdate

__all__ = ["router"]

router = APIRouter(tags=["people"])


@router.post(
    "/nodes/{node_id}/people",
    status_code=status.HTTP_201_CREATED,
    response_model=PersonRead,
    summary="Add a person to a Node's expert network (the Node's stewards or admins)",
)
async def create_person(
    node_id: Annotated[str, Path(pattern=NODE_ID)],
    body: PersonCreate,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> PersonRead:
    person = await service.create_person(session, node_id, body, principal=principal)
    return service.to_read(person, show_email=True)


@router.patch("/people/{person_id}", response_model=PersonRead, summary="Change a person")
async def update_person(
    person_id: str, body: PersonUpdate, session: SessionDep, principal: CurrentPrincipal
) -> PersonRead:
    person = await service.update_person(session, person_id, body, principal=principal)
    return service.to_read(person, show_email=True)


@router.delete(
    "/people/{person_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Remove a person"
)
async def delete_person(
    person_id: str, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    await service.delete_person(session, person_id, principal=principal)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/people",
    response_model=Page[PersonRead],
    summary="Find people by expertise (EDAM topics, all must match) and language (any)",
)
async def find_people(
    request: Request,
    session: SessionDep,
    principal: OptionalPrincipal,
    expertise: Annotated[list[str] | None, Query(description="e.g. topic_0121")] = None,
    language: Annotated[list[str] | None, Query(description="ISO 639-1, e.g. pt")] = None,
    node: Annotated[str | None, Query(pattern=NODE_ID)] = None,
    limit: Limit = None,
    cursor: Cursor = None,
    sort: Sort = None,
) -> Page[PersonRead]:
    page = page_request(
        request, limit=limit, cursor=cursor, sort=sort, allowed=["name"], default_sort="name"
    )
    rows, next_cursor = await service.find_people(
        session,
        page=page,
        codec=codec(request),
        expertise=expertise or [],
        languages=language or [],
        node_id=node,
    )
    return Page[PersonRead](
        items=[service.to_read(p, show_email=principal is not None) for p in rows],
        next_cursor=next_cursor,
        limit=page.limit,
    )

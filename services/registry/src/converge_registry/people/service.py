"""Managing and finding people of the expert network."""

from __future__ import annotations

import uuid

from converge_common.auth import Principal
from converge_common.db import utcnow
from converge_common.errors import NotFound
from converge_common.pagination import KeysetCursor, PageRequest, SortField, keyset_page
from converge_common.tokens import SignedToken
from sqlalchemy.ext.asyncio import AsyncSession

from converge_registry.authz import require_steward_of
from converge_registry.models import Person, PersonExpertise, PersonLanguage
from converge_registry.nodes.service import get_node
from converge_registry.people import repository
from converge_registry.people.schemas import PersonCreate, PersonRead, PersonUpdate, normalise_topic

__all__ = ["create_person", "delete_person", "find_people", "to_read", "update_person"]

SORT_FIELDS = [SortField("name", Person.name)]


def to_read(person: Person, *, show_email: bool) -> PersonRead:
    return PersonRead(
        id=person.id,
        node_id=person.node_id,
        name=person.name,
        orcid=person.orcid,
        role=person.role,
        expertise=[e.topic for e in person.expertise],
        languages=[lang.language for lang in person.languages],
        email=person.email if show_email else None,
        created_at=person.created_at,
        updated_at=person.updated_at,
    )


async def create_person(
    session: AsyncSession, node_id: str, data: PersonCreate, *, principal: Principal
) -> Person:
    require_steward_of(principal, await get_node(session, node_id))
    now = utcnow()
    person = Person(
        id=str(uuid.uuid4()),
        node_id=node_id,
        name=data.name,
        orcid=data.orcid,
        role=data.role,
        email=data.email,
        created_at=now,
        updated_at=now,
        expertise=[PersonExpertise(topic=t) for t in data.expertise],
        languages=[PersonLanguage(language=lang) for lang in data.languages],
    )
    session.add(person)
    await session.flush()
    return person


async def _editable(session: AsyncSession, person_id: str, principal: Principal) -> Person:
    person = await repository.get_person(session, person_id)
    if person is None:
        raise NotFound(f"No person {person_id!r}")
    require_steward_of(principal, await get_node(session, person.node_id))
    return person


async def update_person(
    session: AsyncSession, person_id: str, data: PersonUpdate, *, principal: Principal
) -> Person:
    person = await _editable(session, person_id, principal)
    for name, value in data.model_dump(exclude_unset=True).items():
        if name == "expertise":
            person.expertise = [PersonExpertise(topic=t) for t in value or []]
        elif name == "languages":
            person.languages = [PersonLanguage(language=lang) for lang in value or []]
        elif value is not None or name in ("orcid", "email"):
            setattr(person, name, value)
    person.updated_at = utcnow()
    await session.flush()
    await session.refresh(person)
    return person


async def delete_person(session: AsyncSession, person_id: str, *, principal: Principal) -> None:
    await session.delete(await _editable(session, person_id, principal))


async def find_people(
    session: AsyncSession,
    *,
    page: PageRequest,
    codec: SignedToken[KeysetCursor],
    expertise: list[str],
    languages: list[str],
    node_id: str | None,
) -> tuple[list[Person], str | None]:
    stmt = repository.people_query(
        expertise=[normalise_topic(t) for t in expertise],
        languages=[lang.lower() for lang in languages],
        node_id=node_id,
    )
    return await keyset_page(
        session, stmt, request=page, sort_fields=SORT_FIELDS, tiebreak=Person.id, codec=codec
    )

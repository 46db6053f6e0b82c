"""SQL of people."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from converge_registry.models import Node, Person, PersonExpertise, PersonLanguage

__all__ = ["get_person", "people_query"]


async def get_person(session: AsyncSession, person_id: str) -> Person | None:
    return await session.get(Person, person_id)


def people_query(
    *, expertise: list[str], languages: list[str], node_id: str | None
) -> Select[Person]:
    """People of accepted Nodes with every asked topic and any asked language."""
    stmt = select(Person).join(Node, Node.id == Person.node_id).where(Node.status == "accepted")
    for topic in expertise:
        stmt = stmt.where(
            select(PersonExpertise.person_id)
            .where(PersonExpertise.person_id == Person.id, PersonExpertise.topic == topic)
            .exists()
        )
    if languages:
        stmt = stmt.where(
            select(PersonLanguage.person_id)
            .where(PersonLanguage.person_id == Person.id, PersonLanguage.language.in_(languages))
            .exists()
        )
    if node_id:
        stmt = stmt.where(Person.node_id == node_id)
    return stmt

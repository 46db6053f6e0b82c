"""The federation's experts: the registry's people, filtered, with their topics' labels.

Without ``q`` the registry does the filtering and paging, and its cursor is passed on (inside
the gateway's). With ``q`` a person matches when one of the topics ``q`` names is among their
expertise or their name contains ``q`` -- an "or" the registry cannot answer -- so the gateway
reads the people that match the other filters (at most :data:`SCAN_MAX`) and pages them itself.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

import orjson
from converge_common.errors import BadRequest, FieldError, ServiceUnavailable
from converge_common.tokens import SignedToken
from pydantic import BaseModel, Field

from converge_gateway.context import Gateway
from converge_gateway.directory.client import RegistryClient, RegistryUnavailable
from converge_gateway.directory.schemas import RegistryPerson
from converge_gateway.people.schemas import PeoplePage, PersonView, Topic
from converge_gateway.people.terms import TermsUnavailable, topic_labels, topics_for

__all__ = ["SCAN_MAX", "PeopleQuery", "find_people"]

SCAN_MAX = 2000
_SCAN_PAGE = 100


@dataclass(frozen=True)
class PeopleQuery:
    expertise: tuple[str, ...]
    q: str | None
    languages: tuple[str, ...]
    node: str | None
    limit: int
    cursor: str | None

    def fingerprint(self) -> str:
        body = [sorted(self.expertise), self.q, sorted(self.languages), self.node]
        return hashlib.sha256(orjson.dumps(body)).hexdigest()[:16]


def _bad_cursor(message: str) -> BadRequest:
    return BadRequest(message, errors=[FieldError("/cursor", "cursor", message)])


class PeopleCursor(BaseModel):
    """Where a page of people ended: the registry's own cursor (paged by the registry) or
    how many matches were shown (``q``, paged by the gateway)."""

    fingerprint: str
    registry_cursor: str | None = Field(default=None, max_length=4000)
    offset: int = Field(default=0, ge=0)


@functools.cache
def _people_tokens(secret: str) -> SignedToken[PeopleCursor]:
    return SignedToken(PeopleCursor, secret=secret, purpose="people-cursor", max_length=8192)


def _codec(gateway: Gateway) -> SignedToken[PeopleCursor]:
    return _people_tokens(gateway.settings.secret_key.get_secret_value())


def _position(gateway: Gateway, query: PeopleQuery) -> PeopleCursor | None:
    if query.cursor is None:
        return None
    position = _codec(gateway).loads(query.cursor)
    if position.fingerprint != query.fingerprint():
        raise _bad_cursor("The cursor belongs to a different query")
    return position


def _registry(gateway: Gateway) -> RegistryClient:
    client = gateway.directory.client
    if client is None:
        raise ServiceUnavailable("The gateway has no registry to read people from")
    return client


async def _scan(client: RegistryClient, query: PeopleQuery) -> tuple[list[RegistryPerson], bool]:
    """Every person matching the filters but ``q``, up to :data:`SCAN_MAX`; and whether more."""
    people: list[RegistryPerson] = []
    cursor: str | None = None
    while len(people) < SCAN_MAX:
        page = await client.people(
            expertise=list(query.expertise),
            languages=list(query.languages),
            node=query.node,
            limit=_SCAN_PAGE,
            cursor=cursor,
        )
        people.extend(page.items)
        cursor = page.next_cursor
        if not cursor:
            return people, False
    return people[:SCAN_MAX], True


async def _views(
    gateway: Gateway, people: list[RegistryPerson]
) -> tuple[list[PersonView], str | None]:
    labels, error = await topic_labels(gateway, [t for p in people for t in p.expertise])
    views = []
    for person in people:
        node = gateway.directory.get(person.node_id)
        views.append(
            PersonView(
                id=person.id,
                node=person.node_id,
                node_name=node.name if node else None,
                name=person.name,
                role=person.role,
                orcid=person.orcid,
                orcid_url=f"https://orcid.org/{person.orcid}" if person.orcid else None,
                expertise=[Topic(id=t, label=labels.get(t)) for t in person.expertise],
                languages=person.languages,
            )
        )
    return views, error


async def find_people(gateway: Gateway, query: PeopleQuery) -> PeoplePage:
    client = _registry(gateway)
    position = _position(gateway, query)
    try:
        if query.q is None:
            return await _registry_page(gateway, client, query, position)
        return await _q_page(gateway, client, query, query.q, position)
    except RegistryUnavailable as exc:
        raise ServiceUnavailable(
            f"The registry did not answer: {exc}", headers={"Retry-After": "5"}
        ) from exc


async def _registry_page(
    gateway: Gateway, client: RegistryClient, query: PeopleQuery, position: PeopleCursor | None
) -> PeoplePage:
    """The registry's own page: it filters and pages; its cursor travels inside the gateway's."""
    raw_cursor = position.registry_cursor if position is not None else None
    if position is not None and raw_cursor is None:
        raise _bad_cursor("malformed cursor")
    page = await client.people(
        expertise=list(query.expertise),
        languages=list(query.languages),
        node=query.node,
        limit=query.limit,
        cursor=raw_cursor,
    )
    views, error = await _views(gateway, page.items[: query.limit])
    following = PeopleCursor(fingerprint=query.fingerprint(), registry_cursor=page.next_cursor)
    return PeoplePage(
        items=views,
        next_cursor=_codec(gateway).dumps(following) if page.next_cursor else None,
        limit=query.limit,
        terms_error=error,
    )


async def _q_page(
    gateway: Gateway,
    client: RegistryClient,
    query: PeopleQuery,
    text: str,
    position: PeopleCursor | None,
) -> PeoplePage:
    """People with a topic ``text`` names or a name containing it, paged by the gateway."""
    offset = position.offset if position is not None else 0
    if offset > SCAN_MAX:
        raise _bad_cursor("malformed cursor")
    q_error = None
    try:
        topics = await topics_for(gateway, text)
    except TermsUnavailable as exc:
        topics, q_error = [], str(exc)
    people, capped = await _scan(client, query)
    wanted, folded = {t.id for t in topics}, text.casefold()
    found = [p for p in people if wanted.intersection(p.expertise) or folded in p.name.casefold()]
    views, error = await _views(gateway, found[offset : offset + query.limit])
    following = PeopleCursor(fingerprint=query.fingerprint(), offset=offset + query.limit)
    return PeoplePage(
        items=views,
        next_cursor=_codec(gateway).dumps(following) if len(found) > offset + query.limit else None,
        limit=query.limit,
        q_topics=[Topic(id=t.id, label=t.label) for t in topics],
        terms_error=q_error or error,
        scan_capped=capped,
    )

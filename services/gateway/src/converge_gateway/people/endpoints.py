"""``GET /api/v1/people``: the federation's data stewards and trainers (public; never an
e-mail address)."""

from __future__ import annotations

import re
from typing import Annotated

from converge_common.errors import FieldError, InvalidInput
from converge_common.openapi import problem_responses
from fastapi import APIRouter, Query

from converge_gateway.context import Gateway, GatewayDep
from converge_gateway.directory.schemas import NODE_ID_PATTERN
from converge_gateway.people.schemas import PeoplePage
from converge_gateway.people.service import PeopleQuery, find_people
from converge_gateway.search.service import select_nodes

__all__ = ["people_query", "router"]

router = APIRouter(tags=["people"])

TOPIC = re.compile(r"^(?:https?://edamontology\.org/)?(topic_[0-9]{4})$")
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
MAX_VALUES = 20
MAX_Q = 100


def _invalid(name: str, rule: str, detail: str) -> InvalidInput:
    error = FieldError("/" + name, rule, detail)
    error["in"] = "query"
    return InvalidInput(f"{name}: {detail}", errors=[error])


def _topics(values: list[str]) -> tuple[str, ...]:
    topics = []
    for value in values:
        match = TOPIC.match(value.strip())
        if match is None:
            raise _invalid("expertise", "edam_topic", f"{value[:64]!r} is not an EDAM topic id")
        topics.append(match.group(1))
    return tuple(dict.fromkeys(topics))


def _languages(values: list[str]) -> tuple[str, ...]:
    for value in values:
        if not LANGUAGE.match(value):
            raise _invalid("language", "iso639", f"{value[:64]!r} is not an ISO 639-1 code")
    return tuple(dict.fromkeys(values))


@router.get(
    "/people",
    response_model=PeoplePage,
    summary="Find the federation's data stewards and trainers",
    description="The experts every Node lists in the registry, sorted by name, with their "
    "expertise as EDAM topic ids and labels. `expertise` (every one must match), `language` "
    "(any may match) and `node` narrow the list; `q` finds people by an EDAM topic's label or "
    "synonym (resolved by a Node's `GET /api/v1/terms`, trying the next Node when one fails) "
    "or by name. E-mail addresses are never given: ask the person's Node.",
    responses=problem_responses(
        400,
        503,
        _400="An unknown Node, or a cursor the gateway did not issue for this query",
        _503="The registry did not answer",
    ),
)
async def list_people(
    gateway: GatewayDep,
    expertise: Annotated[
        list[str] | None,
        Query(max_length=MAX_VALUES, description="EDAM topic id, e.g. topic_0121 (repeatable)"),
    ] = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=MAX_Q,
            description="An expertise by its EDAM label or synonym (e.g. `quantitative "
            "proteomics`), or a name",
        ),
    ] = None,
    language: Annotated[
        list[str] | None,
        Query(max_length=MAX_VALUES, description="ISO 639-1 code, e.g. pt (repeatable)"),
    ] = None,
    node: Annotated[str | None, Query(pattern=NODE_ID_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=4000)] = None,
) -> PeoplePage:
    return await find_people(
        gateway,
        people_query(
            gateway,
            expertise=expertise or [],
            q=q,
            languages=language or [],
            node=node,
            limit=limit,
            cursor=cursor,
        ),
    )


def people_query(
    gateway: Gateway,
    *,
    expertise: list[str],
    q: str | None,
    languages: list[str],
    node: str | None,
    limit: int,
    cursor: str | None,
) -> PeopleQuery:
    """The checked query (the portal's page builds it from its URL the same way)."""
    if node is not None:
        select_nodes(gateway, [node])
    text = " ".join(q.split()) if q is not None else ""
    if len(text) > MAX_Q:
        raise _invalid("q", "max_length", f"q has at most {MAX_Q} characters")
    if len(expertise) > MAX_VALUES or len(languages) > MAX_VALUES:
        name = "expertise" if len(expertise) > MAX_VALUES else "language"
        raise _invalid(name, "max_items", f"at most {MAX_VALUES} values")
    return PeopleQuery(
        expertise=_topics(expertise),
        q=text or None,
        languages=_languages([v.lower() for v in languages]),
        node=node,
        limit=limit,
        cursor=cursor,
    )

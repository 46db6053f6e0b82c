"""The experts page: the federation's data stewards and trainers, found by expertise (an EDAM
label or synonym), language and Node, from the gateway's ``GET /api/v1/people``.

Everything the page shows is in its URL (``q``, ``expertise``, ``language``, ``node``,
``cursor``); each expertise shown is a link that narrows the list to that topic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from converge_common.errors import ProblemError
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from converge_gateway.context import Gateway, GatewayDep
from converge_gateway.people.endpoints import people_query
from converge_gateway.people.schemas import PeoplePage, PersonView
from converge_gateway.people.service import find_people
from converge_gateway.portal.render import Page, url_with
from converge_gateway.portal.search import language_name

__all__ = ["router"]

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

PATH = "/experts"
PARAMS = ("q", "expertise", "language", "node", "cursor")
# the languages the selector offers: the EU's official languages and the federation's others
LANGUAGES = (
    "bg", "ca", "cs", "da", "de", "el", "en", "es", "et", "eu", "fi", "fr", "ga", "gl", "hr",
    "hu", "is", "it", "lt", "lv", "mt", "nl", "no", "pl", "pt", "ro", "sk", "sl", "sv",
)  # fmt: skip
PAGE_SIZE = 20


@dataclass
class Choice:
    value: str
    label: str
    selected: bool


@dataclass
class ActiveFilter:
    name: str
    label: str
    remove_url: str


@dataclass
class ExpertsView:
    params: list[tuple[str, str]]
    query: str
    people: list[dict[str, Any]] = field(default_factory=list)
    languages: list[Choice] = field(default_factory=list)
    nodes: list[Choice] = field(default_factory=list)
    active: list[ActiveFilter] = field(default_factory=list)
    q_topics: list[str] = field(default_factory=list)
    terms_error: str | None = None
    next_url: str | None = None
    first_url: str | None = None


def _params(page: Page) -> list[tuple[str, str]]:
    return [(k, v.strip()) for k, v in page.params if k in PARAMS and v.strip()]


def _person(person: PersonView, params: list[tuple[str, str]], reader: str) -> dict[str, Any]:
    return {
        "person": person,
        "topics": [
            {
                "label": topic.label or topic.id,
                "url": url_with(PATH, params, add=[("expertise", topic.id)]),
            }
            for topic in person.expertise
        ],
        "languages": [language_name(code, reader) or code for code in person.languages],
    }


def experts_view(
    gateway: Gateway, params: list[tuple[str, str]], answer: PeoplePage | None, reader: str
) -> ExpertsView:
    kept = [(k, v) for k, v in params if k != "cursor"]
    chosen = {(k, v) for k, v in kept}
    view = ExpertsView(params=kept, query=next((v for k, v in kept if k == "q"), ""))
    view.languages = sorted(
        (
            Choice(code, language_name(code, reader) or code, ("language", code) in chosen)
            for code in LANGUAGES
        ),
        key=lambda c: c.label.casefold(),
    )
    view.nodes = [
        Choice(n.id, n.name, ("node", n.id) in chosen)
        for n in gateway.directory.nodes
        if n.status == "accepted"
    ]
    labels = {}
    if answer is not None:
        view.people = [_person(p, kept, reader) for p in answer.items]
        labels = {t.id: t.label for p in answer.items for t in p.expertise if t.label}
        view.q_topics = [t.label or t.id for t in answer.q_topics]
        view.terms_error = answer.terms_error
        if answer.next_cursor:
            view.next_url = url_with(PATH, kept, add=[("cursor", answer.next_cursor)])
    node_names = {c.value: c.label for c in view.nodes}
    for name, value in kept:
        label = {
            "q": value,
            "expertise": labels.get(value, value),
            "language": language_name(value, reader) or value,
            "node": node_names.get(value, value),
        }[name]
        view.active.append(ActiveFilter(name, label, url_with(PATH, kept, remove=[(name, value)])))
    if any(k == "cursor" for k, _ in params):
        view.first_url = url_with(PATH, kept)
    return view


@router.get(PATH)
async def experts_page(request: Request, gateway: GatewayDep) -> HTMLResponse:
    page = Page(request)
    params = _params(page)

    def values(name: str) -> list[str]:
        return [v for k, v in params if k == name]

    answer, error = None, None
    try:
        query = people_query(
            gateway,
            expertise=values("expertise"),
            q=next(iter(values("q")), None),
            languages=values("language"),
            node=next(iter(values("node")), None),
            limit=PAGE_SIZE,
            cursor=next(iter(values("cursor")), None),
        )
        answer = await find_people(gateway, query)
    except ProblemError as exc:
        error = exc
    view = experts_view(gateway, params, answer, page.code)
    return page.render(
        "experts.html",
        {"view": view, "error": error},
        status=error.status if error else 200,
    )

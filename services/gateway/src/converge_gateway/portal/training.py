"""The training page: upcoming courses across the federation, and the same query as an
iCalendar feed (``/training.ics``).

Everything the page shows is in its URL: the start-date range (from today unless given),
online or on site, topic, level, Node and the page's cursor. Each course's dates and place come
in the Nodes' search hits (their ``course`` summary), so no record is fetched.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from converge_common.errors import FieldError, InvalidInput, ProblemError
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from converge_gateway.context import Gateway, GatewayDep
from converge_gateway.portal.ical import Event, calendar
from converge_gateway.portal.render import Page, url_with
from converge_gateway.search.service import SearchRequest, federated_search

__all__ = ["CourseLine", "CourseTopic", "TrainingQuery", "course_line", "router"]

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

LEVELS = ("beginner", "intermediate", "advanced")
PAGE_SIZE = 20
# the feed holds the first courses of the query, soonest first
FEED_SIZE = 100
MAX_TOPICS = 5
# a course's topics shown on its line (a Node may send any number)
MAX_COURSE_TOPICS = 6
_MARK = re.compile(r"</?mark>")
_EDAM_TOPIC = re.compile(r"^https?://edamontology\.org/(topic_\d{4})$")


@dataclass(frozen=True)
class TrainingQuery:
    """The page's filters, checked as the Nodes check them (the same pointers and rules)."""

    starts_from: date
    starts_to: date | None = None
    online: str = ""  # "", "true" or "false"
    level: str = ""
    topics: tuple[str, ...] = ()
    nodes: tuple[str, ...] = ()

    @classmethod
    def parse(cls, params: Sequence[tuple[str, str]], *, today: date) -> TrainingQuery:
        given = {k: v.strip() for k, v in reversed(params)}  # the first value of each name
        errors: list[FieldError] = []
        dates: dict[str, date | None] = {}
        for name in ("starts_from", "starts_to"):
            try:
                dates[name] = date.fromisoformat(given[name]) if given.get(name) else None
            except ValueError:
                errors.append(FieldError(f"/{name}", "date", "a date as YYYY-MM-DD"))
        online = given.get("online", "")
        if online not in ("", "true", "false"):
            errors.append(FieldError("/online", "enum", "true or false"))
        level = given.get("level", "")
        if level and level not in LEVELS:
            errors.append(FieldError("/level", "enum", "one of " + ", ".join(LEVELS)))
        topics = tuple(dict.fromkeys(v.strip() for k, v in params if k == "topic" and v.strip()))
        if len(topics) > MAX_TOPICS:
            errors.append(FieldError("/topic", "max_items", f"at most {MAX_TOPICS} topics"))
        if errors:
            names = ", ".join(e["pointer"][1:] for e in errors)
            raise InvalidInput(f"invalid training filters: {names}", errors=errors)
        return cls(
            starts_from=dates.get("starts_from") or today,
            starts_to=dates.get("starts_to"),
            online=online,
            level=level,
            topics=topics,
            nodes=tuple(dict.fromkeys(v for k, v in params if k == "node" and v.strip())),
        )

    def url_params(self) -> list[tuple[str, str]]:
        """The query as the page's URL holds it."""
        out = [("starts_from", self.starts_from.isoformat())]
        if self.starts_to is not None:
            out.append(("starts_to", self.starts_to.isoformat()))
        if self.online:
            out.append(("online", self.online))
        if self.level:
            out.append(("level", self.level))
        out += [("topic", t) for t in self.topics] + [("node", n) for n in self.nodes]
        return out

    def search_params(self) -> list[tuple[str, str]]:
        """The federated search of the query: courses, soonest first."""
        return [("type", "CourseInstance"), ("sort", "start"), *self.url_params()]


@dataclass(frozen=True)
class CourseTopic:
    """One of a course's EDAM topics: its IRI (the value the topic filter takes) and label."""

    uri: str
    label: str


@dataclass
class CourseLine:
    global_id: str
    title: str
    title_language: str | None
    node: str
    node_name: str
    start: date | datetime
    end: date | datetime  # inclusive, as the record gives it
    all_day: bool
    online: bool
    location: str | None
    country: str | None
    level: str | None
    description: str
    topics: tuple[CourseTopic, ...] = ()

    @property
    def place(self) -> str:
        return ", ".join(p for p in (self.location, self.country) if p)


def _moment(value: str) -> date | datetime:
    """A record's date or date-time: a date, or a date-time at midnight without a zone (how a
    stored record holds a date), is a day; other date-times are aware (no zone: UTC)."""
    if len(value) == 10:
        return date.fromisoformat(value)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        if moment.time() == datetime.min.time():
            return moment.date()
        return moment.replace(tzinfo=UTC)
    return moment


def _as_datetime(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _plain(snippet: str) -> str:
    return html.unescape(_MARK.sub("", snippet))


def _topics(given: Any) -> tuple[CourseTopic, ...]:
    """The EDAM topics a Node sent with a course, as far as they are EDAM topics; a topic
    without a label is named by its id."""
    if not isinstance(given, list):
        return ()
    topics = []
    for topic in given:
        uri = topic.get("uri") if isinstance(topic, dict) else None
        match = _EDAM_TOPIC.match(uri) if isinstance(uri, str) else None
        if match is None:
            continue
        label = topic.get("label")
        label = label.strip()[:200] if isinstance(label, str) else ""
        topics.append(CourseTopic(match[0], label or match[1]))
        if len(topics) == MAX_COURSE_TOPICS:
            break
    return tuple(topics)


def course_line(item: dict[str, Any], node_names: dict[str, str]) -> CourseLine | None:
    """A search hit as a course, or None for a hit without a readable course summary (a Node
    that does not send one)."""
    course = item.get("course")
    if not isinstance(course, dict):
        return None
    try:
        start, end = _moment(str(course["start_date"])), _moment(str(course["end_date"]))
    except (KeyError, ValueError):
        return None
    all_day = not isinstance(start, datetime) and not isinstance(end, datetime)
    if not all_day:
        start, end = _as_datetime(start), _as_datetime(end)
    node = str(item.get("node", ""))
    return CourseLine(
        global_id=str(item["global_id"]),
        title=str(item.get("title", "")),
        title_language=item.get("title_language"),
        node=node,
        node_name=node_names.get(node, node),
        start=start,
        end=end,
        all_day=all_day,
        online=bool(course.get("online")),
        location=course.get("location"),
        country=course.get("country"),
        level=course.get("level"),
        description=_plain(str(item.get("snippet") or "")),
        topics=_topics(course.get("topics")),
    )


@dataclass
class TopicOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class TrainingView:
    query: TrainingQuery
    courses: list[CourseLine] = field(default_factory=list)
    topics: list[TopicOption] = field(default_factory=list)
    total: int | None = None
    partial: bool = False
    next_url: str | None = None
    first_url: str | None = None
    feed_url: str = "/training.ics"
    # each listed topic's link: these courses narrowed to it
    topic_urls: dict[str, str] = field(default_factory=dict)


async def _search(
    gateway: Gateway, query: TrainingQuery, *, limit: int, cursor: str | None, lang: str
) -> dict[str, Any]:
    params = [*query.search_params(), ("lang", lang)]
    if cursor:
        params.append(("cursor", cursor))
    request = SearchRequest.from_query(
        params, limit=limit, max_limit=gateway.settings.page_size_max, facets="topic"
    )
    return await federated_search(gateway, request)


def _names(gateway: Gateway) -> dict[str, str]:
    return {n.id: n.name for n in gateway.directory.nodes}


def _today() -> date:
    return datetime.now(UTC).date()


@router.get("/training")
async def training_page(request: Request, gateway: GatewayDep) -> HTMLResponse:
    page = Page(request)
    cursor = next((v for k, v in page.params if k == "cursor"), None)
    try:
        query = TrainingQuery.parse(page.params, today=_today())
    except ProblemError as error:
        view = TrainingView(query=TrainingQuery(starts_from=_today()))
        return page.render(
            "training.html", {"view": view, "error": error, "levels": LEVELS}, status=error.status
        )
    view = TrainingView(query=query, feed_url=url_with("/training.ics", query.url_params()))
    try:
        answer = await _search(gateway, query, limit=PAGE_SIZE, cursor=cursor, lang=page.code)
    except ProblemError as error:
        return page.render(
            "training.html", {"view": view, "error": error, "levels": LEVELS}, status=error.status
        )
    names = _names(gateway)
    view.courses = [c for item in answer["items"] if (c := course_line(item, names))]
    view.topic_urls = {
        topic.uri: url_with(
            "/training", query.url_params(), remove=[("topic", None)], add=[("topic", topic.uri)]
        )
        for course in view.courses
        for topic in course.topics
    }
    view.total = answer.get("total")
    view.partial = bool(answer.get("partial"))
    chosen = set(query.topics)
    view.topics = [
        TopicOption(f["value"], f.get("label") or f["value"], f["count"], f["value"] in chosen)
        for f in (answer.get("facets") or {}).get("topic", [])
    ]
    known = {t.value for t in view.topics}
    view.topics += [TopicOption(t, t, 0, True) for t in query.topics if t not in known]
    if answer.get("next_cursor"):
        view.next_url = url_with(
            "/training", query.url_params(), add=[("cursor", answer["next_cursor"])]
        )
    if cursor:
        view.first_url = url_with("/training", query.url_params())
    return page.render("training.html", {"view": view, "error": None, "levels": LEVELS})


def _event(course: CourseLine, *, federation: str, base: str) -> Event:
    # DTEND is exclusive: an all-day course ends the day after its last day
    end = course.end + timedelta(days=1) if course.all_day else course.end
    place = "Online" if course.online and not course.place else course.place
    if course.online and course.place:
        place = f"{course.place} / Online"
    details = [course.description] if course.description else []
    if course.level:
        details.append(f"Level: {course.level}")
    details.append(f"Node: {course.node_name}")
    return Event(
        uid=f"{course.global_id}@{federation}",
        start=course.start,
        end=end,
        summary=course.title,
        url=f"{base}/records/{course.global_id}",
        location=place or None,
        description="\n".join(details),
    )


@router.get("/training.ics")
async def training_feed(request: Request, gateway: GatewayDep) -> Response:
    """The query of ``/training`` as iCalendar: its first ``FEED_SIZE`` courses."""
    query = TrainingQuery.parse(request.query_params.multi_items(), today=_today())
    answer = await _search(gateway, query, limit=FEED_SIZE, cursor=None, lang="en")
    settings = gateway.settings
    base = settings.public_url.rstrip("/") or str(request.base_url).rstrip("/")
    names = _names(gateway)
    courses = [c for item in answer["items"] if (c := course_line(item, names))]
    events = [_event(c, federation=settings.federation_id, base=base) for c in courses]
    body = calendar(
        events,
        product=f"-//{settings.federation_name}//Training feed//EN",
        name=f"{settings.federation_name}: courses",
    )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'inline; filename="training.ics"'},
    )

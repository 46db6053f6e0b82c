"""Reading usage from files a Node already has, into :class:`Hit` values.

- The Combined Log Format of web servers (Apache ``combined``, nginx's default)::

      host ident user [10/Oct/2025:13:55:36 +0200] "GET /path HTTP/1.1" 200 2326 "ref" "agent"

- The tab-separated log of the COUNTER reference processor ``counter-processor``, 19 fields:
  datetime, client IP, session cookie id, user cookie id, user id, URL, identifier, filename,
  size, user agent, title, publisher, publisher id, authors, publication date, version, other
  id, target URL, year (``-`` or empty for a missing value; ``#`` starts a comment line).

Only the URLs of this project's metadata service name a record (:func:`match_route`); a
counter-processor line whose URL names none is taken by its identifier, as a request when it
names a file. Every line is bounded (:data:`MAX_LINE_CHARS`); a bad line is reported with its
number and skipped, never half-read.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO, Literal
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = [
    "COUNTER_FIELDS",
    "MAX_LINE_CHARS",
    "DatasetFacts",
    "Format",
    "Hit",
    "LineError",
    "Route",
    "match_route",
    "parse",
    "parse_clf",
    "parse_counter",
]

MAX_LINE_CHARS = 16_384
Format = Literal["clf", "counter"]

COUNTER_FIELDS = (
    "event_time",
    "client_ip",
    "session_cookie_id",
    "user_cookie_id",
    "user_id",
    "request_url",
    "identifier",
    "filename",
    "size",
    "user_agent",
    "title",
    "publisher",
    "publisher_id",
    "authors",
    "publication_date",
    "version",
    "other_id",
    "target_url",
    "publication_year",
)


@dataclass(frozen=True, slots=True)
class DatasetFacts:
    doi: str | None = None
    title: str | None = None
    publisher: str | None = None
    publication_year: int | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    """One usage event before hashing: raw client address and cookies live only here."""

    occurred_s: int
    dataset_id: str
    kind: int  # 0 investigation, 1 request
    resource: str
    user_agent: str
    client_ip: str
    user_id: str | None = None
    user_cookie: str | None = None
    session_cookie: str | None = None
    facts: DatasetFacts | None = None


@dataclass(frozen=True, slots=True)
class LineError:
    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class Route:
    record_id: str
    kind: int
    resource: str


_DOWNLOAD = re.compile(r"/api/v1/records/([^/]+)/distributions/(\d{1,5})/download$")
_API = re.compile(r"/api/v1/records/([^/]+)$")
_LANDING = re.compile(r"/records/([^/]+)$")
_DCAT = re.compile(r"/dcat/datasets/([^/]+)$")
_OAI = re.compile(r"/oai$")


def match_route(url: str) -> Route | None:
    """The record, kind and resource a metadata-service URL stands for (path prefixes, as
    behind a reverse proxy, are allowed); ``None`` for any other URL."""
    parts = urlsplit(url)
    path = parts.path
    if m := _DOWNLOAD.search(path):
        return Route(unquote(m.group(1)), 1, f"download:{int(m.group(2))}")
    if m := _API.search(path):
        return Route(unquote(m.group(1)), 0, "api")
    if m := _DCAT.search(path):
        return Route(unquote(m.group(1)), 0, "dcat")
    if m := _LANDING.search(path):
        return Route(unquote(m.group(1)), 0, "landing")
    if _OAI.search(path):
        query = parse_qs(parts.query)
        identifier = (query.get("identifier") or [""])[0]
        # oai:{repository}:{node}:{local id}
        pieces = identifier.split(":", 3)
        if query.get("verb") == ["GetRecord"] and len(pieces) == 4 and pieces[3]:
            return Route(pieces[3], 0, "oai")
    return None


def _lines(source: BinaryIO) -> Iterator[tuple[int, str | None]]:
    """Numbered decoded lines; ``None`` for a line over :data:`MAX_LINE_CHARS` (read in
    bounded pieces: an endless line never sits in memory whole)."""
    limit = MAX_LINE_CHARS * 4  # UTF-8 bytes of MAX_LINE_CHARS characters, at most
    number = 0
    while True:
        raw = source.readline(limit + 1)
        if not raw:
            return
        number += 1
        if len(raw) > limit and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):
                raw = source.readline(limit + 1)
            yield number, None
            continue
        text = raw.decode("utf-8", "replace").rstrip("\r\n")
        yield number, (text if len(text) <= MAX_LINE_CHARS else None)


_CLF = re.compile(
    r"^(?P<host>\S+) \S+ (?P<user>\S+) \[(?P<time>[^\]]+)\] "
    r'"(?P<method>[A-Z]+) (?P<url>\S+)(?: [^"]*)?" (?P<status>\d{3}) \S+'
    r'(?: "(?P<referer>(?:[^"\\]|\\.)*)" "(?P<agent>(?:[^"\\]|\\.)*)")?'
)
_SUCCESS = frozenset({200, 304})
_MONTHS = {m: i for i, m in enumerate(calendar.month_abbr) if m}
_CLF_TIME = re.compile(
    r"^(\d{2})/([A-Z][a-z]{2})/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$"
)


def _clf_seconds(value: str) -> int | None:
    """Unix time of ``10/Oct/2000:13:55:36 -0700`` (strptime was the loader's hot spot)."""
    m = _CLF_TIME.match(value)
    if m is None or m.group(2) not in _MONTHS:
        return None
    day, _, year, hour, minute, second, sign, tz_h, tz_m = m.groups()
    try:
        local = calendar.timegm(
            (int(year), _MONTHS[m.group(2)], int(day), int(hour), int(minute), int(second))
        )
        datetime(int(year), _MONTHS[m.group(2)], int(day))  # rejects 31 Feb
    except ValueError:
        return None
    offset = (int(tz_h) * 3600 + int(tz_m) * 60) * (1 if sign == "+" else -1)
    return local - offset


def parse_clf(source: BinaryIO) -> Iterator[Hit | LineError | None]:
    """Hits of a Combined Log Format file; ``None`` for a well-formed line that is not a
    counted use of a record (another URL, a failed or non-GET request)."""
    for number, text in _lines(source):
        if text is None:
            yield LineError(number, f"longer than {MAX_LINE_CHARS} characters")
            continue
        if not text.strip():
            yield None
            continue
        m = _CLF.match(text)
        if m is None:
            yield LineError(number, "not in the Combined Log Format")
            continue
        seconds = _clf_seconds(m.group("time"))
        if seconds is None:
            yield LineError(number, "timestamp is not dd/Mon/yyyy:HH:MM:SS +zzzz")
            continue
        route = match_route(m.group("url"))
        status = int(m.group("status"))
        # the counted download answers with its redirect; every other use with the content
        ok = status in _SUCCESS or (route is not None and route.kind == 1 and status == 302)
        if route is None or not ok or m.group("method") != "GET":
            yield None
            continue
        user = m.group("user")
        yield Hit(
            occurred_s=seconds,
            dataset_id=route.record_id,
            kind=route.kind,
            resource=route.resource,
            user_agent=(m.group("agent") or "").replace('\\"', '"'),
            client_ip=m.group("host"),
            user_id=None if user == "-" else user,
        )


def _value(field: str) -> str | None:
    field = field.strip()
    return None if field in ("", "-", "????") else field


def _doi(identifier: str | None) -> str | None:
    if identifier is None:
        return None
    value = identifier.strip()
    for prefix in ("doi:", "https://doi.org/", "http://doi.org/", "http://dx.doi.org/"):
        if value.lower().startswith(prefix):
            value = value[len(prefix) :]
            break
    return value.lower() if value.startswith("10.") else None


def _year(value: str | None) -> int | None:
    if value and value[:4].isdigit():
        return int(value[:4])
    return None


def parse_counter(source: BinaryIO) -> Iterator[Hit | LineError | None]:
    """Hits of a counter-processor log; ``None`` for comment and blank lines."""
    for number, text in _lines(source):
        if text is None:
            yield LineError(number, f"longer than {MAX_LINE_CHARS} characters")
            continue
        if not text.strip() or text.startswith("#"):
            yield None
            continue
        fields = text.split("\t")
        if len(fields) != len(COUNTER_FIELDS):
            yield LineError(
                number, f"{len(fields)} tab-separated fields, not {len(COUNTER_FIELDS)}"
            )
            continue
        v = [_value(f) for f in fields]
        row = dict(zip(COUNTER_FIELDS, v, strict=True))
        try:
            when = datetime.fromisoformat(row["event_time"] or "")
        except ValueError:
            yield LineError(number, "event_time is not an ISO 8601 date and time")
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        url, identifier = row["request_url"] or "", row["identifier"]
        route = match_route(url)
        if route is None and identifier is None:
            yield LineError(number, "neither the URL nor the identifier names a dataset")
            continue
        if route is None:
            kind = 1 if row["filename"] or row["size"] else 0
            route = Route(identifier or "", kind, urlsplit(url).path[:64] or "-")
        facts = DatasetFacts(
            doi=_doi(identifier),
            title=row["title"],
            publisher=row["publisher"],
            publication_year=_year(row["publication_year"]) or _year(row["publication_date"]),
        )
        yield Hit(
            occurred_s=int(when.timestamp()),
            dataset_id=route.record_id[:200],
            kind=route.kind,
            resource=route.resource[:64],
            user_agent=row["user_agent"] or "",
            client_ip=row["client_ip"] or "",
            user_id=row["user_id"],
            user_cookie=row["user_cookie_id"],
            session_cookie=row["session_cookie_id"],
            facts=facts,
        )


def parse(source: BinaryIO, format: Format) -> Iterator[Hit | LineError | None]:
    return parse_clf(source) if format == "clf" else parse_counter(source)

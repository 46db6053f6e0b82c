"""What a Node may answer for a record, checked before the gateway passes any of it on.

The caller negotiates one of :data:`REPRESENTATIONS` with the gateway; the gateway asks the
Node for exactly that one and takes back only that one, well-formed, with the record's shape
and within the depth bounds. A problem (404, 410 with the tombstone, ...) is taken only as a
JSON problem, and re-issued as the gateway's own. Anything else is the Node's error: the
gateway never serves a body under a type the Node chose (``text/html`` with a script would
run on the gateway's origin).
"""

from __future__ import annotations

import asyncio
import email.utils
import re
from dataclasses import dataclass, field
from typing import Annotated, Any

import httpx
import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rdflib import Graph

from converge_gateway.fanout.engine import NodeAnswerInvalid
from converge_gateway.negotiation import choose_media_type
from converge_gateway.safe_xml import UnsafeXML, parse_xml
from converge_gateway.search.schemas import LOCAL_ID_PATTERN

__all__ = [
    "FORMAT_ALIASES",
    "NODE_STATUSES",
    "REPRESENTATIONS",
    "RecordAnswer",
    "check_record_answer",
    "choose_representation",
]

JSON = "application/json"
JSON_LD = "application/ld+json"
DATACITE_XML = "application/vnd.datacite.datacite+xml"
TURTLE = "text/turtle"
RDF_XML = "application/rdf+xml"
# in the gateway's order of preference: a wildcard gets the API's own JSON
REPRESENTATIONS = (JSON, JSON_LD, DATACITE_XML, TURTLE, RDF_XML)
# the ``?format=`` names of a Node's records endpoint (its RECORD_FORMATS), mapped to the
# ``Accept`` the Node is asked with, so a name answers the same at the gateway and at the Node
FORMAT_ALIASES = {
    "json": JSON,
    "jsonld": JSON_LD,
    "json-ld": JSON_LD,
    "datacite": DATACITE_XML,
    "ttl": TURTLE,
    "turtle": TURTLE,
    "rdf": RDF_XML,
    "rdfxml": RDF_XML,
}
# the Node's own answers about the record, passed on once checked
NODE_STATUSES = (200, 400, 404, 406, 410, 422)
MAX_JSON_DEPTH = 32
_PROBLEM_TYPES = ("application/problem+json", JSON)
_XML_ROOTS = {
    DATACITE_XML: "{http://datacite.org/schema/kernel-4}resource",
    RDF_XML: "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF",
}
_ETAG = re.compile(r'^(W/)?"[\x21\x23-\x7e]{0,200}"$')


class _NodeRecord(BaseModel):
    """The API JSON of a record, as far as the gateway relies on it."""

    model_config = ConfigDict(extra="allow", strict=True)

    id: str = Field(pattern=LOCAL_ID_PATTERN)
    type: str = Field(min_length=1, max_length=100)
    # a text per language, as a Node's API gives it
    title: dict[str, Annotated[str, Field(max_length=10_000)]] = Field(min_length=1)
    version: int = Field(ge=1)


class _NodeProblem(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)

    status: int
    title: str = Field(default="", max_length=500)
    detail: str = Field(default="", max_length=2000)


@dataclass(frozen=True)
class RecordAnswer:
    status: int
    media_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def choose_representation(*, accept: str | None, format_param: str | None) -> str | None:
    """``?format=`` first (an alias or a media type), then ``Accept``; ``None``: nothing
    the gateway passes on is acceptable."""
    if format_param:
        media = FORMAT_ALIASES.get(format_param.lower(), format_param.lower())
        return media if media in REPRESENTATIONS else None
    return choose_media_type(accept, REPRESENTATIONS)


def _media_type(response: httpx.Response) -> str:
    return str(response.headers.get("content-type", "")).split(";")[0].strip().lower()


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_JSON_DEPTH:
            break
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def _json_object(content: bytes, what: str) -> dict[str, Any]:
    try:
        # orjson refuses nesting beyond 1024 itself; records are far shallower still
        value = orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        raise NodeAnswerInvalid(f"{what} is not valid JSON") from exc
    if not isinstance(value, dict):
        raise NodeAnswerInvalid(f"{what} is not a JSON object")
    if _depth(value) > MAX_JSON_DEPTH:
        raise NodeAnswerInvalid(f"{what} is nested deeper than {MAX_JSON_DEPTH}")
    return value


def _check_body(media: str, content: bytes, local_id: str) -> None:
    if media == JSON:
        try:
            record = _NodeRecord.model_validate(_json_object(content, "the record"))
        except ValidationError as exc:
            raise NodeAnswerInvalid("the record JSON has not a record's shape") from exc
        if record.id != local_id:
            raise NodeAnswerInvalid(f"asked for record {local_id}, answered {record.id}")
    elif media == JSON_LD:
        document = _json_object(content, "the JSON-LD")
        if "@context" not in document or "@type" not in document:
            raise NodeAnswerInvalid("the JSON-LD has no @context or @type")
    elif media in _XML_ROOTS:
        try:
            root = parse_xml(content)
        except UnsafeXML as exc:
            raise NodeAnswerInvalid(f"the {media} answer: {exc}") from exc
        if root.tag != _XML_ROOTS[media]:
            raise NodeAnswerInvalid(f"the {media} answer has the root {root.tag[:100]}")
    elif media == TURTLE:
        try:
            Graph().parse(data=content.decode("utf-8"), format="turtle")
        # rdflib raises its own BadSyntax, and RecursionError on deep nesting
        except Exception as exc:
            raise NodeAnswerInvalid("the Turtle answer does not parse") from exc


def _kept_headers(response: httpx.Response) -> dict[str, str]:
    kept = {"Vary": "Accept"}
    etag = response.headers.get("etag", "")
    if _ETAG.match(etag):
        kept["ETag"] = etag
    modified = response.headers.get("last-modified", "")
    if modified and email.utils.parsedate_tz(modified) is not None:
        kept["Last-Modified"] = modified
    return kept


def _problem(response: httpx.Response, *, path: str) -> RecordAnswer:
    if _media_type(response) not in _PROBLEM_TYPES:
        raise NodeAnswerInvalid(
            f"HTTP {response.status_code} as {_media_type(response) or 'no type'}, not a problem"
        )
    try:
        problem = _NodeProblem.model_validate(_json_object(response.content, "the problem"))
    except ValidationError as exc:
        raise NodeAnswerInvalid("the problem JSON has not a problem's shape") from exc
    if problem.status != response.status_code:
        raise NodeAnswerInvalid("the problem's status is not the answer's")
    body = {**problem.model_dump(), "instance": path}
    return RecordAnswer(
        status=response.status_code,
        media_type="application/problem+json",
        body=orjson.dumps(body),
        headers={"Vary": "Accept"},
    )


async def check_record_answer(
    response: httpx.Response, *, media: str, local_id: str, path: str
) -> RecordAnswer:
    """The Node's answer if it is what was asked for; else :class:`NodeAnswerInvalid`.

    The body is parsed in a worker thread: an RDF parse of a large answer would hold up
    every other request on the loop."""
    if response.status_code != 200:
        return _problem(response, path=path)
    answered = _media_type(response)
    if answered != media:
        raise NodeAnswerInvalid(f"answered {answered or 'no type'} when asked for {media}")
    await asyncio.to_thread(_check_body, media, response.content, local_id)
    charset = "; charset=utf-8" if media == TURTLE else ""
    return RecordAnswer(200, media + charset, response.content, _kept_headers(response))

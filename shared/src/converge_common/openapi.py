"""Every error an operation can answer, in its OpenAPI document, as ``application/problem+json``.

Errors are rendered by one handler (:mod:`converge_common.errors`), so they are documented in
one place too. What follows from a route itself is added to every operation when the document
is built:

- ``401`` when the route reads a bearer token (a bad token is refused even where none is
  needed), ``403`` too when it requires one (a role or a Node may be missing);
- ``400`` when the route takes a body (malformed JSON) or a ``cursor`` or ``sort`` query
  parameter (a cursor this service did not issue, a sort field outside the allow-list);
- ``404`` when the path has parameters (what they name may not exist);
- ``422`` when the route takes parameters or a body (FastAPI's own ``HTTPValidationError``
  entry is replaced: the handler answers with a problem listing JSON pointers and rules);
- ``503`` on a service with a database (the database may be unreachable; ``Retry-After``).

What only the endpoint knows (another 400, 406 for content negotiation, 409, 412,
428, 429, 502, 504) it declares with ``responses=problem_responses(...)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from converge_common.auth import optional_principal, require_principal
from converge_common.errors import PROBLEM_JSON

__all__ = ["PROBLEM_SCHEMA", "document_problems", "problem_responses"]

PROBLEM_REF = "#/components/schemas/Problem"

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `errors` lists each offending field.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "A URI naming the kind of problem"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string", "description": "The path that was requested"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["pointer", "rule", "detail"],
                "properties": {
                    "pointer": {"type": "string", "description": "RFC 6901 JSON pointer"},
                    "rule": {"type": "string", "description": "The rule the value broke"},
                    "detail": {"type": "string"},
                    "in": {
                        "type": "string",
                        "enum": ["query", "path", "header", "cookie"],
                        "description": "Where the value came from, when not the body",
                    },
                },
            },
        },
    },
    "additionalProperties": True,
}

_DESCRIPTIONS = {
    400: "The request is malformed (e.g. a cursor this service did not issue)",
    401: "A bearer token is missing, invalid or expired",
    403: "The token lacks the role or the Node this operation needs",
    404: "Nothing here has this identifier",
    406: "None of the accepted representations can be produced",
    409: "The request conflicts with the current state",
    410: "The resource was deleted",
    412: "The ETag in If-Match is stale",
    413: "The request body is too large",
    415: "The request's media type is not supported",
    422: "A field failed validation; each is named by a JSON pointer and a rule",
    428: "If-Match is required",
    429: "Too many requests; Retry-After says when to try again",
    502: "An upstream service answered with an error",
    503: "A dependency (the database, the registry) is unavailable; Retry-After says when to retry",
    504: "An upstream service did not answer in time",
}


def problem_responses(*statuses: int, **descriptions: str) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for error statuses, answered as problem+json.

    ``descriptions`` override the default text by status, e.g. ``_404="No such record"``.
    """
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        text = descriptions.get(f"_{status}") or _DESCRIPTIONS.get(status, "Error")
        out[status] = _problem_entry(text)
    return out


def _problem_entry(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}},
    }


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def _implied_statuses(route: APIRoute, *, database: bool) -> list[int]:
    calls = set(_calls(route.dependant))
    statuses: list[int] = []
    if optional_principal in calls:
        statuses.append(401)
    if require_principal in calls:
        statuses.append(403)
    if route.body_field is not None or {"cursor", "sort"} & {
        param.alias for param in route.dependant.query_params
    }:
        statuses.append(400)
    if route.dependant.path_params:
        statuses.append(404)
    if database and not route.path.startswith(("/livez", "/readyz", "/metrics", "/service-info")):
        statuses.append(503)
    return statuses


def _apply(app: FastAPI, document: dict[str, Any], *, database: bool) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    paths: dict[str, dict[str, Any]] = document.get("paths", {})
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        item = paths.get(str(context.path))
        if item is None:
            continue
        for method in route.methods or ():
            operation = item.get(method.lower())
            if operation is None:
                continue
            responses: dict[str, Any] = operation.setdefault("responses", {})
            for status in _implied_statuses(route, database=database):
                responses.setdefault(str(status), _problem_entry(_DESCRIPTIONS[status]))
            if "422" in responses:
                responses["422"] = _problem_entry(_DESCRIPTIONS[422])
            operation["responses"] = dict(sorted(responses.items()))
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)


def document_problems(app: FastAPI, *, database: bool) -> None:
    """Make ``app``'s OpenAPI document list the problems each operation can answer."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        document = generate()
        _apply(app, document, database=database)
        return document

    app.openapi = openapi  # type: ignore[method-assign]

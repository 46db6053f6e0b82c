"""Typed errors rendered by one handler as RFC 9457 ``application/problem+json``.

Every error a service raises on purpose is a :class:`ProblemError` subclass. Request
validation errors list each offending field as a JSON pointer with the rule it broke.
Database integrity errors become 409; a database that cannot be reached (refused, dropped or
terminated connections, an exhausted pool) a 503 with ``Retry-After``. Anything else is a 500
that says nothing about the internals (the traceback goes to the log with the request id).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

__all__ = [
    "PROBLEM_JSON",
    "BadRequest",
    "Conflict",
    "FieldError",
    "Forbidden",
    "Gone",
    "InvalidInput",
    "NotFound",
    "PreconditionFailed",
    "PreconditionRequired",
    "ProblemError",
    "ServiceUnavailable",
    "TooManyRequests",
    "Unauthorized",
    "UnsupportedMediaType",
    "database_unavailable",
    "field_errors_from_pydantic",
    "install_error_handlers",
    "json_pointer",
    "problem_response",
]

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://converge.elixir-europe.org/problems/"

logger = logging.getLogger("converge.errors")


def json_pointer(location: Iterable[str | int]) -> str:
    """RFC 6901 pointer for a location such as ``("creators", 0, "orcid")``."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in location]
    return "/" + "/".join(parts) if parts else ""


class FieldError(dict[str, str]):
    """One offending field: ``{"pointer": "/creators/0/orcid", "rule": "orcid_checksum", ...}``."""

    def __init__(self, pointer: str, rule: str, message: str) -> None:
        super().__init__(pointer=pointer, rule=rule, detail=message)


_MEMBERS = frozenset({"type", "title", "status", "detail", "instance", "errors"})


class ProblemError(Exception):
    """Base of every error a service raises on purpose."""

    status: int = 500
    title: str = "Internal Server Error"
    slug: str = "internal-error"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: Sequence[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        reserved = _MEMBERS.intersection(extensions)
        if reserved:
            # RFC 9457 members keep their meaning; an extension may not replace one
            raise TypeError(f"problem extensions may not be named {sorted(reserved)}")
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = list(errors or [])
        self.headers = headers or {}
        self.extensions = extensions

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extensions)
        return body


class BadRequest(ProblemError):
    status, title, slug = 400, "Bad Request", "bad-request"


class InvalidInput(ProblemError):
    status, title, slug = 422, "Invalid input", "invalid-input"


class Unauthorized(ProblemError):
    status, title, slug = 401, "Unauthorized", "unauthorized"

    def __init__(self, detail: str = "A valid bearer token is required", **kw: Any) -> None:
        error = "invalid_token" if kw.pop("token_present", True) else None
        value = f'Bearer error="{error}"' if error else "Bearer"
        headers = {"WWW-Authenticate": value}
        super().__init__(detail, headers=headers, **kw)


class Forbidden(ProblemError):
    status, title, slug = 403, "Forbidden", "forbidden"


class NotFound(ProblemError):
    status, title, slug = 404, "Not Found", "not-found"


class Gone(ProblemError):
    status, title, slug = 410, "Gone", "gone"


class Conflict(ProblemError):
    status, title, slug = 409, "Conflict", "conflict"


class PreconditionFailed(ProblemError):
    status, title, slug = 412, "Precondition Failed", "precondition-failed"


class UnsupportedMediaType(ProblemError):
    status, title, slug = 415, "Unsupported Media Type", "unsupported-media-type"


class PreconditionRequired(ProblemError):
    status, title, slug = 428, "Precondition Required", "precondition-required"


class TooManyRequests(ProblemError):
    status, title, slug = 429, "Too Many Requests", "too-many-requests"

    def __init__(self, detail: str, *, retry_after_s: int, **kw: Any) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after_s))}, **kw)


class ServiceUnavailable(ProblemError):
    status, title, slug = 503, "Service Unavailable", "service-unavailable"


def problem_response(
    status: int,
    body: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


_RULES = {
    "missing": "required",
    "extra_forbidden": "no_additional_properties",
    "string_too_short": "min_length",
    "string_too_long": "max_length",
    "too_short": "min_items",
    "too_long": "max_items",
    "string_pattern_mismatch": "pattern",
    "greater_than": "minimum",
    "greater_than_equal": "minimum",
    "less_than": "maximum",
    "less_than_equal": "maximum",
    "enum": "enum",
    "literal_error": "enum",
    "url_parsing": "url",
    "url_scheme": "url",
    "date_from_datetime_parsing": "date",
    "date_parsing": "date",
    "datetime_parsing": "datetime",
    "datetime_from_date_parsing": "datetime",
    "json_invalid": "json",
}


def field_errors_from_pydantic(
    errors: Sequence[Any], *, drop_prefix: tuple[str, ...] = ()
) -> list[FieldError]:
    """Turn pydantic error dicts into pointers and rule names.

    A custom validator that raises ``PydanticCustomError(rule, message)`` gives its own rule
    name; built-in errors are named by their pydantic type (``missing`` -> ``required``).
    """
    out: list[FieldError] = []
    for err in errors:
        loc = tuple(err.get("loc", ()))
        if drop_prefix and loc[: len(drop_prefix)] == drop_prefix:
            loc = loc[len(drop_prefix) :]
        # pydantic puts the tag of a tagged union in the path; it is not a field
        loc = tuple(p for p in loc if not (isinstance(p, str) and p.startswith("function-")))
        kind = str(err.get("type", "invalid"))
        out.append(FieldError(json_pointer(loc), _RULES.get(kind, kind), str(err.get("msg", ""))))
    return out


async def _problem_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(exc.status, exc.to_problem(request.url.path), exc.headers)


async def _validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError | ValidationError)
    errors = field_errors_from_pydantic(exc.errors())
    # FastAPI prefixes locations with where the value came from (body, query, path, header).
    for error in errors:
        pointer = error["pointer"]
        for source in ("/body", "/query", "/path", "/header", "/cookie"):
            if pointer == source or pointer.startswith(source + "/"):
                if source != "/body":
                    error["in"] = source[1:]
                error["pointer"] = pointer[len(source) :] or "/"
                break
    problem = InvalidInput(
        f"{len(errors)} field(s) failed validation: "
        + ", ".join(f"{e['pointer']} ({e['rule']})" for e in errors[:10]),
        errors=errors,
    )
    return problem_response(problem.status, problem.to_problem(request.url.path))


async def _http_exception_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    title = {404: "Not Found", 405: "Method Not Allowed"}.get(exc.status_code, "Error")
    body = {
        "type": "about:blank",
        "title": title,
        "status": exc.status_code,
        "detail": str(exc.detail),
        "instance": request.url.path,
    }
    return problem_response(exc.status_code, body, dict(exc.headers or {}))


async def _integrity_handler(request: Request, exc: Exception) -> JSONResponse:
    logger.info("integrity error on %s: %s", request.url.path, type(exc).__name__)
    problem = Conflict("The request conflicts with the current state of a stored resource")
    return problem_response(problem.status, problem.to_problem(request.url.path))


# SQLSTATE classes and codes that mean "the database is not there now", not "the query is wrong":
# connection exceptions, administrator or crash shutdown, cannot connect now, too many connections
_UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")
DATABASE_RETRY_AFTER_S = 5


def database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot be reached (as opposed to a faulty statement)."""
    if isinstance(exc, PoolTimeout | OperationalError | InterfaceError):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated or exc.statement is None:
        # no statement: the error came while connecting (e.g. ALLOW_CONNECTIONS false)
        return True
    state = str(getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None) or "")
    return state.startswith(_UNAVAILABLE_SQLSTATES)


async def _database_error_handler(request: Request, exc: Exception) -> JSONResponse:
    if not database_unavailable(exc):
        return await _unhandled_handler(request, exc)
    return await _database_down_handler(request, exc)


async def _database_down_handler(request: Request, exc: Exception) -> JSONResponse:
    logger.error("database unavailable on %s: %s", request.url.path, type(exc).__name__)
    problem = ServiceUnavailable("The database is unavailable; try again shortly")
    return problem_response(
        problem.status,
        problem.to_problem(request.url.path),
        {"Retry-After": str(DATABASE_RETRY_AFTER_S)},
    )


async def _unhandled_handler(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    problem = ProblemError("An unexpected error occurred; it has been logged")
    return problem_response(500, problem.to_problem(request.url.path))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _problem_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(ValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_exception_handler)
    app.add_exception_handler(IntegrityError, _integrity_handler)
    app.add_exception_handler(DBAPIError, _database_error_handler)
    app.add_exception_handler(PoolTimeout, _database_down_handler)
    # asyncpg raises these itself while connecting (refused, unreachable, connect timeout)
    app.add_exception_handler(ConnectionRefusedError, _database_down_handler)
    app.add_exception_handler(Exception, _unhandled_handler)

"""What text and integers every service accepts, checked once for every route.

Text: every string a caller sends (path and query parameters, JSON body values and keys,
imported records) must consist of XML 1.0 characters: no U+0000 (PostgreSQL cannot store it),
no other C0 control character than tab, line feed and carriage return, no lone surrogate
(not encodable as UTF-8) and neither U+FFFE nor U+FFFF. Such text could be stored on one
backend and not the other, and would break every XML output (OAI-PMH, DataCite, DCAT RDF/XML).

Integers: path and query integers carry explicit bounds (:data:`INT32_MAX` for values stored
in 32-bit columns, :data:`INT64_MAX` for 64-bit ones), so an overflow is a 422, not a 500.

:func:`check_request_text` is installed by :func:`converge_common.app.build_service_app` as a
dependency of every route; importers call :func:`text_errors` per record.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from fastapi import Request

from converge_common.errors import FieldError, InvalidInput, json_pointer

__all__ = [
    "INT32_MAX",
    "INT64_MAX",
    "TEXT_RULE",
    "answers_bad_text_itself",
    "check_request_text",
    "printable",
    "text_errors",
    "text_problem",
]

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
TEXT_RULE = "text"
MAX_REPORTED = 20

# the complement of the XML 1.0 Char production within Unicode
_NOT_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_F = TypeVar("_F", bound=Callable[..., Any])


def text_problem(value: str) -> str | None:
    """Why ``value`` is not acceptable text, or ``None`` when it is."""
    found = _NOT_XML_CHAR.search(value)
    if found is None:
        return None
    char = found.group()
    kind = (
        "NUL"
        if char == "\x00"
        else "a lone surrogate"
        if "\ud800" <= char <= "\udfff"
        else "a non-character"
        if char in "\ufffe\uffff"
        else "a control character"
    )
    return f"contains {kind} (U+{ord(char):04X}) at position {found.start()}"


def printable(value: str) -> str:
    """``value`` with every unacceptable character written as ``\\uXXXX`` (safe to echo)."""
    return _NOT_XML_CHAR.sub(lambda m: f"\\u{ord(m.group()):04x}", value)


def text_errors(value: Any, *, prefix: Iterable[str | int] = ()) -> list[FieldError]:
    """Every string in a JSON-like value (keys too) that is not acceptable text.

    Walks without recursion, so a deeply nested value cannot exhaust the stack; stops after
    :data:`MAX_REPORTED` errors.
    """
    errors: list[FieldError] = []
    stack: list[tuple[tuple[str | int, ...], Any]] = [(tuple(prefix), value)]
    while stack and len(errors) < MAX_REPORTED:
        location, item = stack.pop()
        if isinstance(item, str):
            reason = text_problem(item)
            if reason is not None:
                errors.append(FieldError(_pointer(location), TEXT_RULE, f"the text {reason}"))
        elif isinstance(item, dict):
            for key, child in reversed(list(item.items())):
                key = str(key)
                reason = text_problem(key)
                if reason is not None:
                    errors.append(
                        FieldError(_pointer((*location, key)), TEXT_RULE, f"the name {reason}")
                    )
                    continue
                stack.append(((*location, key), child))
        elif isinstance(item, list | tuple):
            stack.extend(((*location, i), child) for i, child in reversed(list(enumerate(item))))
    return errors


def _pointer(location: Iterable[str | int]) -> str:
    return json_pointer([printable(p) if isinstance(p, str) else p for p in location])


def answers_bad_text_itself(endpoint: _F) -> _F:
    """Mark an endpoint whose protocol has its own error for a bad argument (OAI-PMH's
    ``badArgument``): :func:`check_request_text` leaves its query string to it."""
    endpoint.__converge_own_text_checks__ = True  # type: ignore[attr-defined]
    return endpoint


def _own_checks(request: Request) -> bool:
    route = request.scope.get("route")
    endpoint = getattr(route, "endpoint", None)
    return bool(getattr(endpoint, "__converge_own_text_checks__", False))


async def check_request_text(request: Request) -> None:
    """Refuse (422, naming each parameter or JSON pointer) a request carrying unacceptable text.

    Runs as a dependency of every route, after FastAPI has parsed a JSON body (it reads the
    parsed body back, never the stream: a streamed import is checked per record instead).
    """
    errors: list[FieldError] = []
    for name, value in request.path_params.items():
        if isinstance(value, str) and (reason := text_problem(value)):
            errors.append(_parameter_error("path", name, f"the value {reason}"))
    if not _own_checks(request):
        for name, value in request.query_params.multi_items():
            if reason := text_problem(name):
                errors.append(_parameter_error("query", name, f"the name {reason}"))
            elif reason := text_problem(value):
                errors.append(_parameter_error("query", name, f"the value {reason}"))
    # FastAPI keeps the JSON body it parsed on the request; a route without one has none
    parsed = request.__dict__.get("_json")
    if parsed is not None:
        errors.extend(text_errors(parsed))
    if errors:
        errors = errors[:MAX_REPORTED]
        raise InvalidInput(
            f"{len(errors)} value(s) contain text this service cannot accept: "
            + ", ".join(f"{e['pointer']} ({e.get('in', 'body')})" for e in errors[:10]),
            errors=errors,
        )


def _parameter_error(where: str, name: str, message: str) -> FieldError:
    error = FieldError(json_pointer([printable(name)]), TEXT_RULE, message)
    error["in"] = where
    return error

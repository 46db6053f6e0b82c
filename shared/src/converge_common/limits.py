"""Request size limits every service enforces before a route runs: the URL (path and query),
the header block, and the body (per route where one route needs more, as an import does).

uvicorn with ``httptools`` (the default when installed) reads header blocks of any size and
only ``h11`` caps them (16 KiB, answered with a plain-text 400); the proxy in front of a
production service caps them first (see ``docs/reliability.md``). These limits give every
excess a problem+json answer with its own status: 414, 431 or 413.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from converge_common.errors import ProblemError, problem_response

__all__ = [
    "ContentTooLarge",
    "HeaderFieldsTooLarge",
    "RequestLimits",
    "RequestLimitsMiddleware",
    "UriTooLong",
]


# what is still read of a body after its cap, before the answer (and closing the connection)
_DRAIN_BYTES = 1024 * 1024


class ContentTooLarge(ProblemError):
    status, title, slug = 413, "Content Too Large", "content-too-large"


class UriTooLong(ProblemError):
    status, title, slug = 414, "URI Too Long", "uri-too-long"


class HeaderFieldsTooLarge(ProblemError):
    status, title, slug = 431, "Request Header Fields Too Large", "header-fields-too-large"


class RequestLimits:
    """The caps, in bytes. ``body_by_path`` gives a route (by exact path) its own body cap."""

    def __init__(
        self,
        *,
        max_url_bytes: int,
        max_header_bytes: int,
        max_body_bytes: int,
        body_by_path: Mapping[str, int] | None = None,
    ) -> None:
        self.max_url_bytes = max_url_bytes
        self.max_header_bytes = max_header_bytes
        self.max_body_bytes = max_body_bytes
        self.body_by_path = dict(body_by_path or {})

    def body_cap(self, path: str) -> int:
        return self.body_by_path.get(path, self.max_body_bytes)


class RequestLimitsMiddleware:
    """Refuses a request whose URL, headers or declared length exceed the limits before the
    application sees it, and stops a body that grows past its cap while it is read: the read
    raises :class:`ContentTooLarge` and the route's answer, whatever it made of the error
    (FastAPI turns errors while reading a body into a 400), is replaced by the 413."""

    def __init__(self, app: ASGIApp, *, limits: RequestLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = self._refusal(scope)
        if problem is not None:
            await _answer(problem, scope, receive, send)
            return
        cap = self.limits.body_cap(scope["path"])
        received = 0
        overflow = started = False

        async def counted() -> Message:
            nonlocal received, overflow
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    overflow = True
                    raise ContentTooLarge(f"the request body exceeds {cap} bytes")
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if overflow and not started:
                return  # the refusal below replaces whatever the route made of the error
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except Exception:
            if not overflow or started:
                raise
        if overflow and not started:
            # read on a little, so that a client still sending can read the answer
            await _drain(receive, _DRAIN_BYTES)
            problem = ContentTooLarge(f"the request body exceeds {cap} bytes")
            await _answer(problem, scope, receive, send)

    def _refusal(self, scope: Scope) -> ProblemError | None:
        limits = self.limits
        url = len(scope.get("raw_path") or scope["path"].encode()) + len(scope["query_string"])
        if url > limits.max_url_bytes:
            return UriTooLong(f"the URL exceeds {limits.max_url_bytes} bytes")
        headers = scope["headers"]
        if sum(len(name) + len(value) for name, value in headers) > limits.max_header_bytes:
            detail = f"the request headers exceed {limits.max_header_bytes} bytes"
            return HeaderFieldsTooLarge(detail)
        cap = limits.body_cap(scope["path"])
        for name, value in headers:
            # the server refuses a malformed length itself
            if name == b"content-length" and value.isdigit() and int(value) > cap:
                return ContentTooLarge(f"the request body exceeds {cap} bytes")
        return None


async def _drain(receive: Receive, limit: int) -> None:
    drained = 0
    while drained <= limit:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body"):
            return
        drained += len(message.get("body", b""))


async def _answer(problem: ProblemError, scope: Scope, receive: Receive, send: Send) -> None:
    body = problem.to_problem(scope["path"])
    # the connection may still carry an unread body: do not keep it alive
    response = problem_response(problem.status, body, {**problem.headers, "Connection": "close"})
    await response(scope, receive, send)

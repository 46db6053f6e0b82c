"""Security headers on every response a service sends, error pages and 404s included.

``X-Content-Type-Options: nosniff`` (a browser never guesses a type from the body),
``Referrer-Policy: no-referrer``, and a ``Content-Security-Policy``: for API answers
``default-src 'none'`` (nothing in a JSON, XML or RDF answer may load or run anything, should a
browser render it), for HTML pages the page policy (``default-src 'self'``), for the API docs
pages the policy their scripts need. A response that sets its own
``Content-Security-Policy`` keeps it (a page with an inline style pins it by hash).
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["API_POLICY", "DOCS_POLICY", "PAGE_POLICY", "SecurityHeadersMiddleware"]

API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
PAGE_POLICY = (
    "default-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'"
)
# Swagger UI and ReDoc as converge_common.docs serves them: scripts from the service only (the
# pages have no inline script); inline styles (Swagger UI's style attributes, the styles ReDoc
# injects); ReDoc's search index runs in a web worker built from a blob
DOCS_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src blob:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)

_CSP = b"content-security-policy"


class SecurityHeadersMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        api_policy: str = API_POLICY,
        page_policy: str = PAGE_POLICY,
        path_policies: Mapping[str, str] | None = None,
    ) -> None:
        self.app = app
        self.api_policy = api_policy.encode()
        self.page_policy = page_policy.encode()
        self.path_policies = {k: v.encode() for k, v in (path_policies or {}).items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = self._secured(scope, list(message.get("headers", [])))
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _secured(
        self, scope: Scope, headers: list[tuple[bytes, bytes]]
    ) -> list[tuple[bytes, bytes]]:
        present = {name.lower() for name, _ in headers}
        if _CSP not in present:
            policy = self.path_policies.get(scope.get("path", ""))
            if policy is None:
                ctype = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                html = ctype.lower().startswith(b"text/html")
                policy = self.page_policy if html else self.api_policy
            headers.append((_CSP, policy))
        if b"x-content-type-options" not in present:
            headers.append((b"x-content-type-options", b"nosniff"))
        if b"referrer-policy" not in present:
            headers.append((b"referrer-policy", b"no-referrer"))
        return headers

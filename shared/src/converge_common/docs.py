"""The API documentation pages, ``/docs`` (Swagger UI) and ``/redoc`` (ReDoc), served whole by
the service itself: the scripts and styles come from ``/docs-assets/`` (vendored from npm, see
``docs_assets/README.md``), not from a CDN, so the pages render offline and behind firewalls.

The pages carry no inline script (each starts from a same-origin ``*-init.js`` that reads the
page's ``data-`` attributes), so their policy, :data:`DOCS_POLICY`, allows scripts from the
service's own origin only.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from converge_common.headers import DOCS_POLICY

__all__ = [
    "ASSETS_PATH",
    "OAUTH2_REDIRECT_PATH",
    "docs_policies",
    "install_docs",
]

ASSETS_PATH = "/docs-assets"
OAUTH2_REDIRECT_PATH = "/docs/oauth2-redirect"
_ASSETS_DIR = Path(__file__).parent / "docs_assets"


def _page(*, title: str, head: str, body: str) -> HTMLResponse:
    html = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n{head}</head>\n<body>\n{body}</body>\n</html>\n"
    )
    return HTMLResponse(html)


def _swagger_ui(request: Request, *, title: str, openapi_url: str) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    assets = escape(root + ASSETS_PATH)
    return _page(
        title=f"{title} - Swagger UI",
        head=(
            f'<link rel="stylesheet" href="{assets}/swagger-ui/swagger-ui.css">\n'
            f'<link rel="icon" href="{assets}/swagger-ui/favicon-32x32.png">\n'
        ),
        body=(
            f'<div id="swagger-ui" data-openapi-url="{escape(root + openapi_url)}" '
            f'data-oauth2-redirect-url="{escape(root + OAUTH2_REDIRECT_PATH)}"></div>\n'
            f'<script src="{assets}/swagger-ui/swagger-ui-bundle.js"></script>\n'
            f'<script src="{assets}/swagger-init.js"></script>\n'
        ),
    )


def _redoc(request: Request, *, title: str, openapi_url: str) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    assets = escape(root + ASSETS_PATH)
    return _page(
        title=f"{title} - ReDoc",
        head="",
        body=(
            f'<div id="redoc" data-openapi-url="{escape(root + openapi_url)}"></div>\n'
            f'<script src="{assets}/redoc/redoc.standalone.js"></script>\n'
            f'<script src="{assets}/redoc-init.js"></script>\n'
        ),
    )


def _oauth2_redirect(request: Request) -> HTMLResponse:
    assets = escape(request.scope.get("root_path", "") + ASSETS_PATH)
    return _page(
        title="Swagger UI: OAuth2 redirect",
        head="",
        body=f'<script src="{assets}/swagger-ui/oauth2-redirect.js"></script>\n',
    )


def install_docs(app: FastAPI, *, docs_url: str = "/docs", redoc_url: str = "/redoc") -> None:
    """Serve ``docs_url``, ``redoc_url``, the OAuth2 redirect page and their assets on ``app``
    (built with ``docs_url=None, redoc_url=None``); :func:`docs_policies` are their policies."""
    openapi_url = app.openapi_url or "/openapi.json"
    title = app.title

    async def swagger_ui(request: Request) -> HTMLResponse:
        return _swagger_ui(request, title=title, openapi_url=openapi_url)

    async def redoc(request: Request) -> HTMLResponse:
        return _redoc(request, title=title, openapi_url=openapi_url)

    async def oauth2_redirect(request: Request) -> HTMLResponse:
        return _oauth2_redirect(request)

    # plain routes, as FastAPI's own docs pages: not API operations
    app.add_route(docs_url, swagger_ui, include_in_schema=False)
    app.add_route(redoc_url, redoc, include_in_schema=False)
    app.add_route(OAUTH2_REDIRECT_PATH, oauth2_redirect, include_in_schema=False)
    app.mount(ASSETS_PATH, StaticFiles(directory=_ASSETS_DIR), name="docs-assets")


def docs_policies(*, docs_url: str = "/docs", redoc_url: str = "/redoc") -> dict[str, str]:
    """The content security policy of each documentation page, by path."""
    return {path: DOCS_POLICY for path in (docs_url, redoc_url, OAUTH2_REDIRECT_PATH)}

"""Rendering a portal page: the template environment, the reader's language, the headers.

Templates autoescape everything; the only markup taken from a Node is a search snippet's
``<mark>``, which is rebuilt here from its text (see ``snippet``), never passed through.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from converge_gateway.portal.i18n import COOKIE, LOCALES, Language, choose_locale, language

__all__ = ["Page", "json_ld", "snippet", "url_with", "web_url"]

MAX_PARAMS = 40
_MARK = re.compile(r"(</?mark>)")
ONE_YEAR = 365 * 24 * 3600


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("converge_gateway.portal", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # the messages as extracted: whitespace in {% trans %} blocks collapsed
    env.policies["ext.i18n.trimmed"] = True
    env.filters["weburl"] = web_url
    return env


def web_url(value: object) -> str | None:
    """A link target from a record only when it is an http(s) or mailto URL: a Node's data
    never becomes a ``javascript:`` link."""
    if isinstance(value, str) and value.lower().startswith(("https://", "http://", "mailto:")):
        return value
    return None


def snippet(text: str | None) -> Markup:
    """A Node's snippet with its ``<mark>`` highlights kept and everything else escaped.

    The Node sends HTML-escaped text with ``<mark>`` around matches; the text between the
    marks is unescaped and escaped again here, so that no other markup can pass through."""
    if not text:
        return Markup("")
    out: list[str] = []
    depth = 0
    for part in _MARK.split(text):
        if part == "<mark>" and depth == 0:
            out.append("<mark>")
            depth = 1
        elif part == "</mark>" and depth == 1:
            out.append("</mark>")
            depth = 0
        elif part not in ("<mark>", "</mark>"):
            out.append(html.escape(html.unescape(part), quote=False))
    if depth:
        out.append("</mark>")
    return Markup("".join(out))  # noqa: S704 - built only from escaped text and <mark>


def json_ld(document: Any) -> Markup:
    """JSON-LD for a ``<script type="application/ld+json">`` block: ``<``, ``>`` and ``&``
    escaped as JSON unicode escapes, so that the text can never close the element."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - JSON with every markup character escaped


def url_with(
    path: str,
    params: Sequence[tuple[str, str]],
    *,
    add: Sequence[tuple[str, str]] = (),
    remove: Sequence[tuple[str, str | None]] = (),
) -> str:
    """``path`` with the query ``params`` changed: pairs removed (a ``None`` value removes
    every value of that name), then pairs added; an empty query gives the bare path."""
    kept = [
        (k, v)
        for k, v in params
        if not any(k == rk and (rv is None or v == rv) for rk, rv in remove)
    ]
    for pair in add:
        if pair not in kept:
            kept.append(pair)
    return f"{path}?{urlencode(kept)}" if kept else path


class Page:
    """What every page needs: the request's language and query, and a way to answer."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.params = [
            (k, v) for k, v in request.query_params.multi_items()[:MAX_PARAMS] if k != "lang"
        ]
        requested = request.query_params.get("lang")
        code, remember = choose_locale(
            requested, request.cookies.get(COOKIE), request.headers.get("accept-language")
        )
        self.code = code
        self.remember = remember
        self.language: Language = language(code)

    def languages(self) -> list[dict[str, Any]]:
        """The switcher: every interface language, linked to this page in that language."""
        path = self.request.url.path
        return [
            {
                "code": code,
                "name": language(code).name,
                "url": url_with(path, self.params, add=[("lang", code)]),
                "current": code == self.code,
            }
            for code in LOCALES
        ]

    def render(
        self, template: str, context: Mapping[str, Any], *, status: int = 200
    ) -> HTMLResponse:
        lang = self.language
        body = (
            environment()
            .get_template(template)
            .render(
                {
                    **context,
                    "gettext": lang.gettext,
                    "ngettext": lang.ngettext,
                    "_": lang.gettext,
                    "lang": lang,
                    "languages": self.languages(),
                    "path": self.request.url.path,
                }
            )
        )
        response = HTMLResponse(body, status_code=status)
        response.headers["Content-Language"] = lang.code
        response.headers["Vary"] = "Accept-Language, Cookie"
        if self.remember:
            response.set_cookie(
                COOKIE, lang.code, max_age=ONE_YEAR, httponly=True, samesite="lax", path="/"
            )
        return response

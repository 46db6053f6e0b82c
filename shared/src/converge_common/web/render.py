"""Rendering a server-side page: one template environment per site, the reader's language.

A :class:`Site` is what a service's pages share: its template packages (looked up first,
then this package's ``templates/``: ``layout.html`` and ``_macros.html``), the path its
static assets are served under, its languages and its language cookie. A :class:`Page` is
one request's view of a site. Templates autoescape everything.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from converge_common.web.i18n import Language, choose_locale, load_language

__all__ = ["MAX_PARAMS", "Page", "Site", "json_ld", "url_with", "web_url"]

MAX_PARAMS = 40
ONE_YEAR = 365 * 24 * 3600


def web_url(value: object) -> str | None:
    """A link target from a record only when it is an http(s) or mailto URL: data never
    becomes a ``javascript:`` link."""
    if isinstance(value, str) and value.lower().startswith(("https://", "http://", "mailto:")):
        return value
    return None


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


class Site:
    """The templates, assets and languages of one service's pages."""

    def __init__(
        self,
        *,
        packages: Sequence[str],
        static_path: str,
        locales: Sequence[str] = ("en",),
        language_cookie: str = "lang",
        language: Callable[[str], Language] | None = None,
    ) -> None:
        self.packages = tuple(packages)
        self.static_path = static_path.rstrip("/")
        self.locales = tuple(locales)
        self.language_cookie = language_cookie
        self._language = language or (lambda code: load_language(None, code))

    @cached_property
    def environment(self) -> Environment:
        loaders = [PackageLoader(p, "templates") for p in (*self.packages, "converge_common.web")]
        env = Environment(
            loader=ChoiceLoader(loaders),
            autoescape=select_autoescape(default=True, default_for_string=True),
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        # the messages as extracted: whitespace in {% trans %} blocks collapsed
        env.policies["ext.i18n.trimmed"] = True
        env.filters["weburl"] = web_url
        return env

    def language(self, code: str) -> Language:
        return self._language(code)


class Page:
    """What every page needs: the request's language and query, and a way to answer."""

    def __init__(self, request: Request, site: Site) -> None:
        self.request = request
        self.site = site
        self.params = [
            (k, v) for k, v in request.query_params.multi_items()[:MAX_PARAMS] if k != "lang"
        ]
        code, remember = choose_locale(
            request.query_params.get("lang"),
            request.cookies.get(site.language_cookie),
            request.headers.get("accept-language"),
            locales=site.locales,
        )
        self.code = code
        self.remember = remember
        self.language: Language = site.language(code)

    def languages(self) -> list[dict[str, Any]]:
        """The switcher: every interface language, linked to this page in that language."""
        path = self.request.url.path
        return [
            {
                "code": code,
                "name": self.site.language(code).name,
                "url": url_with(path, self.params, add=[("lang", code)]),
                "current": code == self.code,
            }
            for code in self.site.locales
        ]

    def render(
        self, template: str, context: Mapping[str, Any], *, status: int = 200
    ) -> HTMLResponse:
        lang = self.language
        body = self.site.environment.get_template(template).render(
            {
                **context,
                "gettext": lang.gettext,
                "ngettext": lang.ngettext,
                "_": lang.gettext,
                "lang": lang,
                "languages": self.languages(),
                "path": self.request.url.path,
                "static": self.site.static_path,
            }
        )
        response = HTMLResponse(body, status_code=status)
        response.headers["Content-Language"] = lang.code
        response.headers["Vary"] = "Accept-Language, Cookie"
        if self.remember:
            response.set_cookie(
                self.site.language_cookie,
                lang.code,
                max_age=ONE_YEAR,
                httponly=True,
                samesite="lax",
                path="/",
            )
        return response

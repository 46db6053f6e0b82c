"""Rendering a portal page: the portal's site (templates, languages) on the shared renderer.

Templates autoescape everything; the only markup taken from a Node is a search snippet's
``<mark>``, which is rebuilt here from its text (see ``snippet``), never passed through.
The layout, macros, style sheet and the rendering itself are :mod:`converge_common.web`'s.
"""

from __future__ import annotations

import html
import re

from converge_common.web import Page as _Page
from converge_common.web import Site, json_ld, url_with, web_url
from fastapi import Request
from markupsafe import Markup

from converge_gateway.portal.i18n import COOKIE, LOCALES, language

__all__ = ["PORTAL", "STATIC_PATH", "Page", "json_ld", "snippet", "url_with", "web_url"]

_MARK = re.compile(r"(</?mark>)")
STATIC_PATH = "/static"

PORTAL = Site(
    packages=["converge_gateway.portal"],
    static_path=STATIC_PATH,
    locales=LOCALES,
    language_cookie=COOKIE,
    language=language,
)


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


class Page(_Page):
    """A page of the portal."""

    def __init__(self, request: Request) -> None:
        super().__init__(request, PORTAL)

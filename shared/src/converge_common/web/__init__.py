"""Server-rendered pages shared by the services: templates, styles, languages, rendering.

The federation portal (gateway) and the Node workspace (metadata, impact) draw their pages
with the same layout (``layout.html``), macros (``_macros.html``), style sheet
(``converge.css``) and favicon; each service serves them under a path of its own with
:func:`static_files`, and looks up its own templates before these. Pages get the page
``Content-Security-Policy`` from :mod:`converge_common.headers` like every HTML answer.
"""

from __future__ import annotations

from starlette.staticfiles import StaticFiles

from converge_common.web.i18n import DEFAULT, Language, choose_locale, load_language
from converge_common.web.render import Page, Site, json_ld, url_with, web_url

__all__ = [
    "DEFAULT",
    "Language",
    "Page",
    "Site",
    "choose_locale",
    "json_ld",
    "load_language",
    "static_files",
    "url_with",
    "web_url",
]


def static_files(*packages: str) -> StaticFiles:
    """The shared assets, and each of ``packages``' ``static/`` folder before them."""
    return StaticFiles(
        packages=[*((p, "static") for p in packages), ("converge_common.web", "static")]
    )

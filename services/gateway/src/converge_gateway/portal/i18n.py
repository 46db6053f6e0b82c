"""The portal's languages: its message catalogues and the reader's choice.

The mechanism (compiled ``.po`` catalogues, ``?lang=`` then cookie then ``Accept-Language``) is
:mod:`converge_common.web.i18n`; this module names the portal's locales, its cookie and where
its catalogues live. A record's own text (title, description) is shown in the interface
language where the record has it, else in English, else in the first language it has.
"""

from __future__ import annotations

from functools import cache

from converge_common.web.i18n import DEFAULT, Language, load_language
from converge_common.web.i18n import choose_locale as _choose_locale

__all__ = [
    "COOKIE",
    "DEFAULT",
    "LOCALES",
    "Language",
    "choose_locale",
    "language",
]

LOCALES = ("en", "de", "fi", "pt")
COOKIE = "portal_lang"


@cache
def language(code: str) -> Language:
    """The compiled catalogue of one of ``LOCALES`` (English is the messages themselves)."""
    return load_language("converge_gateway.portal", code)


def choose_locale(
    requested: str | None, cookie: str | None, accept_language: str | None
) -> tuple[str, bool]:
    """The interface language, and whether it was asked for now (and is to be remembered)."""
    return _choose_locale(requested, cookie, accept_language, locales=LOCALES)

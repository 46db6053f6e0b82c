"""Interface languages of server-rendered pages: catalogues, the reader's choice, formats.

A service's catalogues are the gettext ``.po`` files under ``translations/<code>/LC_MESSAGES/``
of one of its packages, compiled in memory when first used (no compiled ``.mo`` files in the
repository). The language is chosen, in this order, by ``?lang=`` (then remembered in a
cookie), the cookie, and ``Accept-Language``; the first locale is the fallback.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations

from converge_common.languages import parse_accept_language

__all__ = ["DEFAULT", "N_", "Language", "choose_locale", "load_language"]

DEFAULT = "en"


def N_(message: str) -> str:
    """A message marked for extraction, translated where it is shown (``_(...)`` in a
    template): a navigation item, a form's label, a page's title set in Python."""
    return message


@dataclass(frozen=True)
class Language:
    """One interface language: its messages and its formats."""

    code: str
    translations: NullTranslations

    @property
    def name(self) -> str:
        """The language's name in itself (Deutsch, suomi, português)."""
        return str(Locale.parse(self.code).get_display_name(self.code) or self.code)

    def gettext(self, message: str) -> str:
        # the empty message is the catalogue's header: an empty label stays empty
        return self.translations.gettext(message) if message else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def number(self, value: float | int) -> str:
        return str(format_decimal(value, locale=self.code))

    def percent(self, value: float) -> str:
        return str(format_percent(value, locale=self.code))

    def date(self, value: date | datetime | str | None, style: str = "medium") -> str:
        when = _as_date(value)
        if when is None:
            return ""
        if isinstance(when, datetime):
            return str(format_datetime(when, style, locale=self.code))
        return str(format_date(when, style, locale=self.code))


def _as_date(value: date | datetime | str | None) -> date | datetime | None:
    if value is None or isinstance(value, date):
        return value
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def load_language(package: str | None, code: str) -> Language:
    """The compiled catalogue ``code`` of ``package`` (English, or no package: the messages
    themselves). Callers cache the result."""
    if code == DEFAULT or package is None:
        return Language(code, NullTranslations())
    source = resources.files(package) / "translations" / code / "LC_MESSAGES" / "messages.po"
    with source.open("rb") as handle:
        catalog = read_po(handle, locale=code)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Language(code, Translations(compiled))


def choose_locale(
    requested: str | None,
    cookie: str | None,
    accept_language: str | None,
    *,
    locales: Sequence[str] = (DEFAULT,),
) -> tuple[str, bool]:
    """The interface language, and whether it was asked for now (and is to be remembered)."""
    if requested in locales:
        return str(requested), True
    if cookie in locales:
        return str(cookie), False
    for tag in parse_accept_language(accept_language):
        primary = tag.split("-")[0]
        if primary in locales:
            return primary, False
    return locales[0], False

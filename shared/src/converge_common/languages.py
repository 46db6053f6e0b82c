"""The reader's languages, and a record's text in the best of them.

A caller names its languages by ``lang`` (``fi`` or ``fi,sv``) and by ``Accept-Language``
(q-values honoured); ``lang`` comes first. A text is taken in the first of those languages the
record has (primary subtags compared: ``fi`` finds ``fi-FI``), else in English, else in the
record's first language. Used by the catalogue's search and landing pages and by the portal,
so that all of them answer a reader in the same language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated

from fastapi import Query

__all__ = [
    "FALLBACK",
    "LANG_PATTERN",
    "MAX_LANGUAGES",
    "LangQuery",
    "parse_accept_language",
    "pick_text",
    "reader_languages",
]

FALLBACK = "en"
MAX_LANGUAGES = 40
# ``lang``: one or more comma-separated primary language subtags or BCP 47 tags
LANG_PATTERN = r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*(,[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*){0,9}$"


# the ``lang`` query parameter of every endpoint that answers in the reader's language
LangQuery = Annotated[
    str | None,
    Query(
        max_length=100,
        pattern=LANG_PATTERN,
        description="The reader's languages in order (`fi` or `fi,sv`), before "
        "`Accept-Language`; then English; then the record's first language",
    ),
]


def parse_accept_language(header: str | None) -> list[str]:
    """Language ranges by preference (q-values honoured, ``q=0`` and ``*`` dropped), lower
    case, at most 40."""
    if not header:
        return []
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:MAX_LANGUAGES]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        tag = tag.strip().lower()
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(ranked)]


def _primary(tag: str) -> str:
    return tag.lower().split("-")[0]


def reader_languages(lang: str | None, accept_language: str | None) -> tuple[str, ...]:
    """The reader's primary languages in order of preference, without repeats."""
    tags = [t for t in (lang or "").split(",") if t] + parse_accept_language(accept_language)
    return tuple(dict.fromkeys(_primary(t) for t in tags))[:MAX_LANGUAGES]


def pick_text(texts: Mapping[str, str] | None, wanted: Sequence[str]) -> tuple[str, str | None]:
    """The text in the first wanted language the texts have, else English, else the first
    language given: ``(text, its language tag)``; ``("", None)`` when there is none."""
    if not texts:
        return "", None
    for language in (*wanted, FALLBACK):
        for tag, value in texts.items():
            if value and _primary(tag) == language:
                return value, tag
    tag, value = next(iter(texts.items()))
    return value, tag

"""What changed between two versions of a record, field by field, for people to read.

Both sides are stored documents (``RecordBase`` as JSON, or ``None`` for a deletion). Objects
are compared member by member, so a language map (``title``, ``description``) gives one change
per language; lists are aligned with :mod:`difflib` so that an inserted creator is one added
item rather than every later one changed; a long text gets a word-level diff. Everything comes
back as plain text: the page escapes it like any other text.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson

__all__ = ["Change", "ChangeKind", "Segment", "diff_documents", "word_diff"]

ChangeKind = Literal["added", "removed", "changed"]

# a text this long (or with a line break) is shown as a word-level diff
LONG_TEXT = 80
# beyond this many words per side the word diff (quadratic at worst) is not attempted
MAX_WORDS = 4000
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")
# how a list item is named in a change: the first of these members it has
_ITEM_NAMES = ("label", "name", "title", "value", "uri", "url", "download_url", "id")


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of a word-level diff: unchanged, added or removed text."""

    kind: Literal["same", "added", "removed"]
    text: str


@dataclass(frozen=True, slots=True)
class Change:
    """One difference. ``path`` names where: object members, and list positions counted from 1
    in the newer version for what it has, in the older one for what it lost; e.g.
    ``("title", "de")`` or ``("creators", 2, "orcid")``."""

    path: tuple[str | int, ...]
    kind: ChangeKind
    before: str | None = None
    after: str | None = None
    words: tuple[Segment, ...] = field(default=())


def diff_documents(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[Change]:
    """Every difference from ``old`` to ``new`` (either may be ``None``: a deletion)."""
    changes: list[Change] = []
    _diff(old if old is not None else {}, new if new is not None else {}, (), changes)
    return changes


def _diff(old: Any, new: Any, path: tuple[str | int, ...], out: list[Change]) -> None:
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        keys = list(old) + [k for k in new if k not in old]
        for key in keys:
            if key not in new:
                out.append(Change((*path, key), "removed", before=_text(old[key])))
            elif key not in old:
                out.append(Change((*path, key), "added", after=_text(new[key])))
            else:
                _diff(old[key], new[key], (*path, key), out)
        return
    if isinstance(old, list) and isinstance(new, list):
        _diff_lists(old, new, path, out)
        return
    before, after = _text(old), _text(new)
    words: tuple[Segment, ...] = ()
    if isinstance(old, str) and isinstance(new, str) and _long(old, new):
        words = word_diff(old, new)
    out.append(Change(path, "changed", before=before, after=after, words=words))


def _diff_lists(
    old: list[Any], new: list[Any], path: tuple[str | int, ...], out: list[Change]
) -> None:
    keys_old = [_key(v) for v in old]
    keys_new = [_key(v) for v in new]
    matcher = difflib.SequenceMatcher(None, keys_old, keys_new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == j2 - j1:
            # the same number of items changed in place: compare them member by member
            for offset in range(i2 - i1):
                _diff(old[i1 + offset], new[j1 + offset], (*path, j1 + offset + 1), out)
            continue
        for index in range(i1, i2):
            out.append(Change((*path, index + 1), "removed", before=_text(old[index])))
        for index in range(j1, j2):
            out.append(Change((*path, index + 1), "added", after=_text(new[index])))


def _key(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def _long(*texts: str) -> bool:
    return any(len(t) > LONG_TEXT or "\n" in t for t in texts)


def _text(value: Any) -> str:
    """A value as one line of text: scalars as they are, a list item by its name."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict):
        for name in _ITEM_NAMES:
            if isinstance(value.get(name), str | int) and not isinstance(value.get(name), bool):
                named = str(value[name])
                rest = {k: v for k, v in value.items() if k != name}
                return f"{named} ({_compact(rest)})" if rest else named
        return _compact(value)
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value)
    return str(value)


def _compact(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return _text(value)


def word_diff(old: str, new: str) -> tuple[Segment, ...]:
    """``old`` to ``new`` as runs of unchanged, removed and added words (whitespace and
    punctuation are tokens of their own). Texts too long to align come back as one removed
    and one added run."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    if len(a) > MAX_WORDS or len(b) > MAX_WORDS:
        return _runs([("removed", old), ("added", new)])
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    parts: list[tuple[Literal["same", "added", "removed"], str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(("removed", "".join(a[i1:i2])))
        if j2 > j1:
            parts.append(("added", "".join(b[j1:j2])))
    return _runs(parts)


def _runs(parts: list[tuple[Literal["same", "added", "removed"], str]]) -> tuple[Segment, ...]:
    """Adjacent parts of one kind joined; empty ones dropped."""
    merged: list[Segment] = []
    for kind, text in parts:
        if not text:
            continue
        if merged and merged[-1].kind == kind:
            merged[-1] = Segment(kind, merged[-1].text + text)
        else:
            merged.append(Segment(kind, text))
    return tuple(merged)

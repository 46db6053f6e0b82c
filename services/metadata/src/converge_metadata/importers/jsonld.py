"""Reading schema.org JSON-LD as plain JSON: compact prefixes, ``@graph`` node references,
values that come as one item, a list, or ``{"@value": ...}``."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from converge_metadata.importers.common import as_list

__all__ = ["first_text", "local_name", "node_types", "normalise_node", "parse_date", "texts"]

_PREFIXES = (
    "http://schema.org/",
    "https://schema.org/",
    "http://bioschemas.org/",
    "https://bioschemas.org/",
    "schema:",
    "sc:",
    "sdo:",
    "bsc:",
    "bs:",
    "bioschemas:",
)
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def local_name(value: str) -> str:
    """``sc:name``, ``http://schema.org/name`` -> ``name``."""
    for prefix in _PREFIXES:
        if value.startswith(prefix):
            return value[len(prefix) :]
    return value


def normalise_node(value: Any, graph: dict[str, Any], depth: int = 0) -> Any:
    """Keys without schema.org prefixes, and ``{"@id": x}`` references to other ``@graph``
    nodes replaced by those nodes (bounded depth: graphs may be cyclic)."""
    if isinstance(value, list):
        return [normalise_node(v, graph, depth) for v in value]
    if not isinstance(value, dict):
        return value
    if depth < 4 and set(value) == {"@id"} and value["@id"] in graph:
        return normalise_node(graph[value["@id"]], graph, depth + 1)
    return {local_name(k): normalise_node(v, graph, depth + 1) for k, v in value.items()}


def node_types(node: dict[str, Any]) -> list[str]:
    return [local_name(t) for t in as_list(node.get("@type")) if isinstance(t, str)]


def texts(value: Any, default_lang: str = "en") -> dict[str, str]:
    """A language map from a string, a list, or JSON-LD value objects (first per language)."""
    out: dict[str, str] = {}
    for item in as_list(value):
        if isinstance(item, dict):
            text, lang = item.get("@value"), item.get("@language") or default_lang
        else:
            text, lang = item, default_lang
        if isinstance(text, str | int | float) and str(text).strip():
            out.setdefault(str(lang), str(text).strip())
    return out


def first_text(value: Any) -> str | None:
    """The first plain text of a value (a string, a list, a value object, or a named node)."""
    for item in as_list(value):
        if isinstance(item, dict):
            item = item.get("@value") or item.get("name") or item.get("@id") or item.get("url")
            if isinstance(item, list):
                item = next(iter(item), None)
        if isinstance(item, str | int) and str(item).strip():
            return str(item).strip()
    return None


def parse_date(value: Any) -> date | None:
    """The date of ``2021-01-08``, ``2021-01-08T10:00:00Z``, ``2021-01`` or ``2021``."""
    text = first_text(value)
    match = _DATE.match(text or "")
    if match is None:
        return None
    year, month, day = (int(g) if g else 1 for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None

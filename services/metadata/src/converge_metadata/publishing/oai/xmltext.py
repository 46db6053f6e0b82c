"""Fast, correct XML text: escaping for string templates and OAI-PMH datestamps."""

from __future__ import annotations

import re
from datetime import datetime

__all__ = ["attr", "datestamp", "text"]

# characters XML 1.0 forbids even escaped; a harvester's parser stops at the first one
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTR = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def text(value: str) -> str:
    return _FORBIDDEN.sub("", value).translate(_TEXT)


def attr(value: str) -> str:
    return _FORBIDDEN.sub("", value).translate(_ATTR)


def datestamp(value: datetime) -> str:
    """UTC at seconds granularity, the repository's declared granularity."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")

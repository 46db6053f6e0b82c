"""What text from a caller the gateway passes on to the Nodes.

A control character (NUL above all) is never meaningful in a query, an identifier or a
datestamp, and some databases refuse it with a server error: a Node that answers such input
with a 500 would be counted as failing and taken out of federated search by anyone who sends
it. The gateway refuses it itself, before any Node is called.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["PARAMETER_NAME", "first_control_character"]

# C0 controls other than tab, line feed and carriage return; DEL; C1 controls
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
PARAMETER_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\[\]-]{0,63}$")


def first_control_character(items: Iterable[tuple[str, str]]) -> tuple[str, int] | None:
    """The first parameter whose name or value holds a control character, and its code."""
    for key, value in items:
        found = _CONTROL.search(key) or _CONTROL.search(value)
        if found is not None:
            return key, ord(found.group())
    return None

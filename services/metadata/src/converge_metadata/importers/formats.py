"""The formats an import reads (a module of its own: the command line's ``--help`` needs them
without importing the importers)."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ImportFormat"]


class ImportFormat(StrEnum):
    jsonl = "jsonl"
    biotools = "biotools"
    bioschemas = "bioschemas"
    datacite = "datacite"

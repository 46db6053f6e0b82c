"""EDAM from its release table (``EDAM_1.25.tsv``): topics, operations, data and formats."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["EDAM_BASE", "EdamTerm", "EdamVocabulary"]

EDAM_BASE = "http://edamontology.org/"
_SHORT = re.compile(
    r"^(?:(?:https?://edamontology\.org/)|(?:edam:))?((topic|operation|data|format)_\d{4})$", re.I
)


@dataclass(frozen=True)
class EdamTerm:
    uri: str
    branch: str  # topic, operation, data or format
    label: str
    synonyms: tuple[str, ...]
    obsolete: bool


class EdamVocabulary:
    """EDAM concepts by IRI."""

    def __init__(self, terms: dict[str, EdamTerm]) -> None:
        self.terms = terms
        # then a value that is a key is its own canonical form, found without the regex
        self._keys_canonical = all(self.canonical(uri) == uri for uri in terms)

    @classmethod
    def load(cls, path: Path) -> EdamVocabulary:
        terms: dict[str, EdamTerm] = {}
        csv.field_size_limit(1 << 24)
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                uri = row["Class ID"].strip()
                match = _SHORT.match(uri)
                if not match:
                    continue
                synonyms = tuple(s.strip() for s in (row.get("Synonyms") or "").split("|") if s)
                terms[uri] = EdamTerm(
                    uri=uri,
                    branch=match.group(2).lower(),
                    label=(row.get("Preferred Label") or "").strip(),
                    synonyms=synonyms,
                    obsolete=(row.get("Obsolete") or "").strip().upper() == "TRUE",
                )
        return cls(terms)

    @staticmethod
    def canonical(value: str) -> str | None:
        """``topic_0121``, ``EDAM:topic_0121`` or the https IRI -> the http IRI EDAM uses."""
        match = _SHORT.match(value.strip())
        return EDAM_BASE + match.group(1).lower() if match else None

    def get(self, value: str) -> EdamTerm | None:
        if self._keys_canonical and value in self.terms:
            return self.terms[value]
        uri = self.canonical(value)
        return self.terms.get(uri) if uri else None

"""GA4GH Data Use Ontology terms (``data/duo/duo.csv``)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DUO_BASE", "DuoTerm", "DuoVocabulary"]

DUO_BASE = "http://purl.obolibrary.org/obo/DUO_"
_FORMS = re.compile(r"^(?:duo[:_]|https?://purl\.obolibrary\.org/obo/duo_)(\d{7})$", re.I)


@dataclass(frozen=True)
class DuoTerm:
    curie: str
    shorthand: str
    label: str
    description: str

    @property
    def uri(self) -> str:
        return DUO_BASE + self.curie.split(":", 1)[1]


class DuoVocabulary:
    """DUO terms by IRI; ``DUO:0000042``, ``DUO_0000042`` and shorthands such as ``GRU`` resolve."""

    def __init__(self, terms: list[DuoTerm]) -> None:
        self.terms = {t.uri: t for t in terms}
        # codes such as TS-[XX] carry a parameter placeholder; the code is the part before it
        self._short = {t.shorthand.split("-[")[0].upper(): t for t in terms}

    @classmethod
    def load(cls, path: Path) -> DuoVocabulary:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        return cls([DuoTerm(r["id"], r["shorthand"], r["label"], r["description"]) for r in rows])

    def get(self, value: str) -> DuoTerm | None:
        value = value.strip()
        match = _FORMS.match(value)
        if match:
            return self.terms.get(DUO_BASE + match.group(1))
        return self._short.get(value.upper())

"""An index of the loaded vocabularies' names, built once per process, that finds terms whose
label or synonym starts with a text, or has a word that does, in a binary search.

Every name is kept once per word it has, as the text from that word to its end (``protein
structure analysis`` also as ``structure analysis`` and ``analysis``), folded and sorted; the
names a query matches are the keys between ``q`` and ``q`` followed by the highest character.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from converge_metadata.vocab import Vocabularies
from converge_metadata.vocab.edam import EDAM_BASE

__all__ = ["VOCABULARIES", "IndexedTerm", "Match", "TermIndex", "fold", "term_index"]

# the vocabularies that can be looked up, and the EDAM branch each EDAM one holds
EDAM_BRANCHES = {
    "edam_topic": "topic",
    "edam_operation": "operation",
    "edam_format": "format",
    "edam_data": "data",
}
VOCABULARIES = (*EDAM_BRANCHES, "ncbi_taxonomy")
_WORD_START = re.compile(r"(?<![\w])\w")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Case- and accent-insensitive form, with runs of spaces as one."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", bare).strip()


@dataclass(frozen=True)
class IndexedTerm:
    id: str
    uri: str
    label: str
    synonyms: tuple[str, ...]


@dataclass(frozen=True)
class Match:
    term: IndexedTerm
    matched: str  # the label or synonym that matched
    field: str  # "label" or "synonym"
    rank: int


class _Vocabulary:
    def __init__(self, terms: Iterable[IndexedTerm]) -> None:
        self.terms: list[IndexedTerm] = list(terms)
        self.by_id = {t.id.lower(): t for t in self.terms}
        # (key, term position, name position: 0 the label, n the n-th synonym, word start)
        keys: list[tuple[str, int, int, int]] = []
        for position, term in enumerate(self.terms):
            for name_at, name in enumerate((term.label, *term.synonyms)):
                folded = fold(name)
                for word in _WORD_START.finditer(folded):
                    keys.append((folded[word.start() :], position, name_at, word.start()))
        keys.sort()
        self._keys = [k[0] for k in keys]
        self._entries = [k[1:] for k in keys]

    def search(self, text: str, *, limit: int) -> list[Match]:
        q = fold(text)
        low = bisect_left(self._keys, q)
        high = bisect_right(self._keys, q + "\U0010ffff")
        best: dict[int, Match] = {}
        for i in range(low, high):
            position, name_at, word_at = self._entries[i]
            term = self.terms[position]
            name = term.label if name_at == 0 else term.synonyms[name_at - 1]
            match = Match(
                term, name, "label" if name_at == 0 else "synonym", _rank(q, name, name_at, word_at)
            )
            held = best.get(position)
            if held is None or (match.rank, len(match.matched)) < (held.rank, len(held.matched)):
                best[position] = match
        ranked = sorted(
            best.values(), key=lambda m: (m.rank, len(m.matched), m.term.label, m.term.id)
        )
        return ranked[:limit]


def _rank(q: str, name: str, name_at: int, word_at: int) -> int:
    """0 the label itself, 1 a label that starts so, 2 a word of the label, then the same three
    for a synonym (3, 4, 5)."""
    base = 0 if name_at == 0 else 3
    if word_at > 0:
        return base + 2
    return base + (0 if fold(name) == q else 1)


class TermIndex:
    def __init__(self, vocabularies: dict[str, _Vocabulary]) -> None:
        self._vocabularies = vocabularies

    def search(self, vocabulary: str, text: str, *, limit: int) -> list[Match]:
        return self._vocabularies[vocabulary].search(text, limit=limit)

    def get(self, vocabulary: str, term_id: str) -> IndexedTerm | None:
        return self._vocabularies[vocabulary].by_id.get(term_id.strip().lower())


def _edam(vocab: Vocabularies, branch: str) -> Iterator[IndexedTerm]:
    for term in vocab.edam.terms.values():
        if term.branch == branch and not term.obsolete:
            yield IndexedTerm(
                id=term.uri.removeprefix(EDAM_BASE),
                uri=term.uri,
                label=term.label,
                synonyms=term.synonyms,
            )


def _taxa(vocab: Vocabularies) -> Iterator[IndexedTerm]:
    for taxon in vocab.taxonomy.taxa.values():
        yield IndexedTerm(
            id=str(taxon.tax_id),
            uri=taxon.uri,
            label=taxon.scientific_name,
            synonyms=taxon.other_names,
        )


@lru_cache(maxsize=4)
def term_index(vocab: Vocabularies) -> TermIndex:
    """The index of ``vocab`` (built once per loaded set of vocabularies)."""
    built = {name: _Vocabulary(_edam(vocab, branch)) for name, branch in EDAM_BRANCHES.items()}
    built["ncbi_taxonomy"] = _Vocabulary(_taxa(vocab))
    return TermIndex(built)

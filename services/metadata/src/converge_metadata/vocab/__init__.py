"""Controlled vocabularies the service validates annotations against and searches by.

EDAM (``data/edam``), NCBI Taxonomy subsets (``data/ncbi-taxonomy``) or the full taxonomy an
operator loaded (``converge-metadata vocab load-taxonomy``), the SPDX licence list
(``data/spdx``) and the GA4GH Data Use Ontology (``data/duo``), loaded once per process.
"""

from converge_metadata.vocab.duo import DuoTerm, DuoVocabulary
from converge_metadata.vocab.edam import EdamTerm, EdamVocabulary
from converge_metadata.vocab.loader import Vocabularies, default_data_dir, load_vocabularies
from converge_metadata.vocab.spdx import SpdxLicence, SpdxVocabulary
from converge_metadata.vocab.taxonomy import Taxon, TaxonomyVocabulary

__all__ = [
    "DuoTerm",
    "DuoVocabulary",
    "EdamTerm",
    "EdamVocabulary",
    "SpdxLicence",
    "SpdxVocabulary",
    "Taxon",
    "TaxonomyVocabulary",
    "Vocabularies",
    "default_data_dir",
    "load_vocabularies",
]

"""What a record contributes to search: weighted texts and multi-valued facet values.

The texts include the labels and synonyms of the record's EDAM and taxonomy annotations, so a
search for "proteomics" finds a record annotated with EDAM topic_0121 whatever its own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from converge_metadata.records.schemas import RecordBase, Term
from converge_metadata.vocab import Vocabularies

__all__ = [
    "RIGHTS_ONLY_FACET",
    "SearchDocument",
    "display_title",
    "facet_values",
    "search_document",
]

# the licence facet's bucket for records that state their rights but name no SPDX licence
# (no SPDX id is spelt like this, so the bucket cannot collide with a licence)
RIGHTS_ONLY_FACET = "rights-statement"


@dataclass(frozen=True)
class SearchDocument:
    title: str
    body: str
    keywords: str
    people: str
    ids: str
    terms: str


def display_title(record: RecordBase, *, prefer: str = "en") -> str:
    """The title to show and sort by: English when present, else the first given."""
    return record.title.get(prefer) or next(iter(record.title.values()))


def _annotations(record: RecordBase) -> list[Term]:
    terms = list(record.topics)
    if record.dataset is not None:
        terms += record.dataset.organisms
        terms += [d.format for d in record.dataset.distributions if d.format is not None]
    if record.software is not None:
        sw = record.software
        terms += sw.operations + sw.input_formats + sw.output_formats
    return terms


def _term_words(term: Term, vocab: Vocabularies) -> list[str]:
    edam = vocab.edam.terms.get(term.uri)
    if edam is not None:
        return [edam.label, *edam.synonyms]
    tax_id = vocab.taxonomy.parse_id(term.uri)
    taxon = vocab.taxonomy.get(tax_id) if tax_id is not None else None
    if taxon is not None:
        return [taxon.scientific_name, *taxon.other_names]
    return [term.label] if term.label else []


_WORD = re.compile(r"\w+")


def _words(values: list[str]) -> str:
    # identifiers split into plain words, so that both backends' parsers see the same tokens
    # (PostgreSQL would otherwise read "-0002" in an ORCID iD as a signed number); one findall
    # over the joined values finds the same words, as the joining space is no word character
    return " ".join(_WORD.findall(" ".join(values)))


def search_document(record: RecordBase, local_id: str, vocab: Vocabularies) -> SearchDocument:
    agents = (*record.creators, *record.contributors)
    people = [a.name for a in agents]
    people += [a.affiliation for a in agents if a.affiliation]
    people += [a.orcid.rsplit("/", 1)[-1] for a in record.creators if a.orcid]
    if record.publisher is not None:
        people.append(record.publisher.name)
    ids = [local_id, *(i.value for i in record.identifiers)]
    if record.software is not None and record.software.biotools_id:
        ids.append(record.software.biotools_id)
    words = [w for t in _annotations(record) for w in _term_words(t, vocab)]
    words += [t.label for t in record.access.data_use if t.label]
    return SearchDocument(
        title=" ".join(record.title.values()),
        body=" ".join(record.description.values()),
        keywords=" ".join(record.keywords),
        people=_words(people),
        ids=_words(ids),
        terms=" ".join(words),
    )


def facet_values(record: RecordBase) -> set[tuple[str, str]]:
    """Every facet dimension's values. Type, licence, year and access are columns of the record
    row too (filters use those); repeating them here lets search count all facets from this one
    narrow table instead of visiting every matching record row."""
    values: set[tuple[str, str]] = {("type", record.type), ("access", record.access.level)}
    if record.license is not None:
        values.add(("license", record.license))
    elif record.rights:
        values.add(("license", RIGHTS_ONLY_FACET))
    if record.issued is not None:
        values.add(("year", str(record.issued.year)))
    values |= {("topic", t.uri) for t in record.topics}
    if record.dataset is not None:
        values |= {("organism", t.uri) for t in record.dataset.organisms}
    values |= {("keyword", k.strip().lower()[:255]) for k in record.keywords if k.strip()}
    values |= {("language", lang) for lang in (*record.languages, *record.title)}
    return values

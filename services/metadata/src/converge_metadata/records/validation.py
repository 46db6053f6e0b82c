"""Checks a record against the vocabularies and the rules of its type, and normalises it.

Syntax (ORCID checksums, DOIs, URLs, dates, language tags) is checked by the schemas; here the
annotations are resolved: EDAM terms against the EDAM release (and its branch: a topic must be
a topic), NCBI taxa against the shipped taxonomy where known (syntax otherwise), SPDX licence
ids and DUO terms. Every failure names its field as a JSON pointer and the rule it broke.

A ``license`` is normalised to its SPDX id (from an id, name, URL or common variant); one that
names no SPDX licence (``Proprietary``, a terms-of-use URL) is not refused but moved to
``rights`` as a rights statement, so what the source said about rights is kept.
"""

from __future__ import annotations

from converge_common.errors import FieldError
from pydantic import ValidationError

from converge_metadata.records.schemas import RecordBase, RightsStatement, Term
from converge_metadata.vocab import Vocabularies

__all__ = ["PARTS_BY_TYPE", "normalise_record"]

PARTS_BY_TYPE: dict[str, frozenset[str]] = {
    "Dataset": frozenset({"dataset"}),
    "Software": frozenset({"software"}),
    "TrainingMaterial": frozenset({"training"}),
    "CourseInstance": frozenset({"training", "course"}),
}
_ALL_PARTS = ("dataset", "software", "training", "course")


class _Checker:
    def __init__(self, vocab: Vocabularies) -> None:
        self.vocab = vocab
        self.errors: list[FieldError] = []

    def fail(self, pointer: str, rule: str, message: str) -> None:
        self.errors.append(FieldError(pointer, rule, message))

    def edam(self, terms: list[Term], pointer: str, branch: str) -> None:
        for index, term in enumerate(terms):
            self.edam_term(term, f"{pointer}/{index}", branch)

    def edam_term(self, term: Term, where: str, branch: str) -> None:
        found = self.vocab.edam.get(term.uri)
        if found is None:
            self.fail(where, "edam_term", f"{term.uri!r} is not an EDAM 1.25 concept")
        elif found.branch != branch:
            self.fail(
                where, "edam_branch", f"{term.uri!r} is an EDAM {found.branch}, not a {branch}"
            )
        elif found.obsolete:
            self.fail(where, "edam_obsolete", f"{term.uri!r} ({found.label}) is obsolete")
        else:
            _resolve(term, found.uri, found.label)

    def taxa(self, terms: list[Term], pointer: str) -> None:
        for index, term in enumerate(terms):
            tax_id = self.vocab.taxonomy.parse_id(term.uri)
            if tax_id is None:
                self.fail(
                    f"{pointer}/{index}", "ncbi_taxon", f"{term.uri!r} is not an NCBI taxon id"
                )
                continue
            taxon = self.vocab.taxonomy.get(tax_id)
            uri = f"http://purl.obolibrary.org/obo/NCBITaxon_{tax_id}"
            _resolve(term, uri, taxon.scientific_name if taxon is not None else term.label)

    def duo(self, terms: list[Term], pointer: str) -> None:
        for index, term in enumerate(terms):
            found = self.vocab.duo.get(term.uri)
            if found is None:
                self.fail(f"{pointer}/{index}", "duo_term", f"{term.uri!r} is not a DUO term")
            else:
                _resolve(term, found.uri, found.label)

    def licence(self, record: RecordBase) -> None:
        if record.license is None:
            return
        found = self.vocab.spdx.normalise(record.license)
        if found is not None:
            record.license = found.id
            return
        value = record.license.strip()
        # a URL that is not a well-formed one is still kept, as text
        shapes = [{"uri": value}] if value.lower().startswith(("http://", "https://")) else []
        statement, detail = None, ""
        for shape in [*shapes, {"text": value}]:
            try:
                statement = RightsStatement.model_validate(shape)
                break
            except ValidationError as exc:
                detail = exc.errors()[0]["msg"]
        if statement is None:
            self.fail(
                "/license", "rights_statement", f"no SPDX licence, nor a rights text: {detail}"
            )
            return
        record.license = None
        if statement not in record.rights:
            record.rights.append(statement)

    def parts(self, record: RecordBase) -> None:
        allowed = PARTS_BY_TYPE[record.type]
        for name in _ALL_PARTS:
            if getattr(record, name) is not None and name not in allowed:
                self.fail(f"/{name}", "type_part", f"a {record.type} has no {name!r} part")
        if record.type == "CourseInstance" and record.course is None:
            self.fail("/course", "required", "a CourseInstance needs its course part")


def _resolve(term: Term, uri: str, label: str | None) -> None:
    # a model's __setattr__ is costly; imported terms often carry the canonical IRI already
    if term.uri != uri:
        term.uri = uri
    if term.label != label:
        term.label = label


def normalise_record(record: RecordBase, vocab: Vocabularies) -> list[FieldError]:
    """Resolve ``record``'s annotations in place (canonical IRIs and labels); return the errors."""
    check = _Checker(vocab)
    check.parts(record)
    check.licence(record)
    check.edam(record.topics, "/topics", "topic")
    check.duo(record.access.data_use, "/access/data_use")
    if record.dataset is not None:
        check.taxa(record.dataset.organisms, "/dataset/organisms")
        for index, dist in enumerate(record.dataset.distributions):
            if dist.format is not None:
                check.edam_term(dist.format, f"/dataset/distributions/{index}/format", "format")
    if record.software is not None:
        check.edam(record.software.operations, "/software/operations", "operation")
        check.edam(record.software.input_formats, "/software/input_formats", "format")
        check.edam(record.software.output_formats, "/software/output_formats", "format")
    return check.errors

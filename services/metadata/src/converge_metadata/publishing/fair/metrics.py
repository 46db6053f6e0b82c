"""The FAIR metrics judged from a record's metadata and from how the Node publishes it.

A pure function of the record and :class:`PublicationFacts`; in the spirit of the
FAIRsFAIR object-assessment metrics (as implemented by F-UJI) that metadata alone decides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from converge_metadata.publishing.fair.schemas import FairAssessment, FairMetricResult
from converge_metadata.publishing.terms import pid
from converge_metadata.records.schemas import RecordRead

__all__ = ["METRICS", "Metric", "PublicationFacts", "assess"]

_MIN_DESCRIPTION = 100


@dataclass(frozen=True)
class PublicationFacts:
    """How the Node publishes: what a record's metadata cannot say about itself."""

    harvestable: bool  # visible now in OAI-PMH, DCAT, the sitemap
    https: bool  # the Node's public URL is https
    persistent_deletion: bool = True  # OAI-PMH deletedRecord=persistent, tombstones kept
    rdf: bool = True  # DCAT-AP RDF and JSON-LD served


Check = Callable[[RecordRead, PublicationFacts], bool]
# a hint about this record in particular, where the metric's general one would mislead
RecordHint = Callable[[RecordRead], str | None]


@dataclass(frozen=True)
class Metric:
    id: str
    principle: str
    name: str
    check: Check
    hint: str
    record_hint: RecordHint | None = None
    # judged from how the Node publishes, not from the record: its operator passes it
    by_operator: bool = False

    def hint_for(self, record: RecordRead) -> str:
        specific = self.record_hint(record) if self.record_hint is not None else None
        return specific or self.hint


def _rich(record: RecordRead, _: PublicationFacts) -> bool:
    described = sum(len(t) for t in record.description.values()) >= _MIN_DESCRIPTION
    core = bool(record.creators) and bool(record.keywords or record.topics)
    specific = {
        "Dataset": lambda: (
            bool(record.dataset and record.dataset.distributions)
            or record.access.level == "controlled"
        ),
        "Software": lambda: bool(record.software and record.software.operations),
        "TrainingMaterial": lambda: bool(record.training and record.training.learning_outcomes),
        "CourseInstance": lambda: record.course is not None,
    }[record.type]()
    return described and core and specific


def _data_identifier(record: RecordRead, _: PublicationFacts) -> bool:
    if record.dataset is not None and record.dataset.distributions:
        return True
    if record.software is not None and (record.software.code_repository or record.landing_page):
        return True
    return record.landing_page is not None or record.access.dac is not None


def _vocabularies(record: RecordRead, _: PublicationFacts) -> bool:
    if not record.topics:
        return False
    if record.type == "Dataset":
        return bool(record.dataset and record.dataset.organisms)
    if record.type == "Software":
        return bool(record.software and record.software.operations)
    return True


def _qualified(record: RecordRead, _: PublicationFacts) -> bool:
    orcids = any(a.orcid for a in (*record.creators, *record.contributors))
    publications = any(p.doi or p.pmid for p in record.publications)
    ror = record.publisher is not None and record.publisher.ror is not None
    funders = any(f.funder_id for f in record.funding)
    return orcids or publications or ror or funders


def _licence(record: RecordRead, _: PublicationFacts) -> bool:
    if record.access.level == "controlled":
        return bool(record.license or record.access.data_use)
    return record.license is not None


def _licence_hint(record: RecordRead) -> str | None:
    if record.license is not None or not record.rights:
        return None
    said = record.rights[0].text or record.rights[0].uri
    return (
        f"The record states its rights ({said!r}) but names no machine-readable licence: add "
        "the SPDX licence id when the terms are one (e.g. CC-BY-4.0), so that harvesters and "
        "people can tell what reuse is allowed without reading the terms."
    )


def _provenance(record: RecordRead, _: PublicationFacts) -> bool:
    return bool(record.creators) and (record.issued is not None or record.publisher is not None)


def _community(record: RecordRead, _: PublicationFacts) -> bool:
    """The Bioschemas profile's minimum properties are present."""
    described = bool(record.description)
    if record.type == "Dataset":
        licensed = record.license is not None or bool(record.rights)  # schema:license either way
        return described and bool(record.keywords or record.topics) and licensed
    if record.type == "Software":
        return described
    return described and bool(record.keywords or record.topics)


METRICS: tuple[Metric, ...] = (
    Metric(
        "FsF-F1-02MD",
        "F1",
        "Persistent identifier",
        lambda r, _: pid(r) is not None,
        "Register a DOI (or handle/ARK) for the resource and add it under identifiers.",
    ),
    Metric(
        "FsF-F2-01M",
        "F2",
        "Rich descriptive metadata",
        _rich,
        "Add a description of at least 100 characters, creators, keywords or EDAM topics, "
        "and the type's core: distributions (Dataset), EDAM operations (Software), learning "
        "outcomes (TrainingMaterial) or course dates (CourseInstance).",
    ),
    Metric(
        "FsF-F3-01M",
        "F3",
        "Metadata include the identifier of the data",
        _data_identifier,
        "Add a distribution with a download_url or access_url, a code repository, or a "
        "landing page where the resource itself is found.",
    ),
    Metric(
        "FsF-F4-01M",
        "F4",
        "Indexed by harvestable endpoints",
        lambda _, f: f.harvestable,
        "Publish the record (status published, embargo ended) so that OAI-PMH, DCAT and the "
        "sitemap list it.",
    ),
    Metric(
        "FsF-A1-02M",
        "A1",
        "Retrievable by a standard, secure protocol",
        lambda _, f: f.https,
        "The operator should serve the Node over HTTPS (set CONVERGE_METADATA_PUBLIC_URL to "
        "an https URL).",
        by_operator=True,
    ),
    Metric(
        "FsF-A2-01M",
        "A2",
        "Metadata kept after the data are deleted",
        lambda _, f: f.persistent_deletion,
        "The Node must keep tombstones of deleted records (OAI-PMH deletedRecord=persistent).",
        by_operator=True,
    ),
    Metric(
        "FsF-I1-01M",
        "I1",
        "Formal knowledge representation",
        lambda _, f: f.rdf,
        "The Node must publish RDF (DCAT-AP) and JSON-LD (Bioschemas).",
        by_operator=True,
    ),
    Metric(
        "FsF-I2-01M",
        "I2",
        "FAIR vocabularies",
        _vocabularies,
        "Annotate with ontology terms: EDAM topics, plus NCBI Taxonomy organisms (Dataset) "
        "or EDAM operations (Software).",
    ),
    Metric(
        "FsF-I3-01M",
        "I3",
        "Qualified references to other resources",
        _qualified,
        "Add an ORCID iD to a creator, a publication DOI or PMID, the publisher's ROR id or "
        "a funder id.",
    ),
    Metric(
        "FsF-R1.1-01M",
        "R1.1",
        "Licence",
        _licence,
        "Add the SPDX licence id of the resource (e.g. CC-BY-4.0); for controlled data, the "
        "DUO data use conditions.",
        _licence_hint,
    ),
    Metric(
        "FsF-R1.2-01M",
        "R1.2",
        "Provenance",
        _provenance,
        "Name the creators and the issue date or publisher.",
    ),
    Metric(
        "FsF-R1.3-01M",
        "R1.3",
        "Community standard (Bioschemas profile)",
        _community,
        "Fill the Bioschemas profile's minimum: a description, keywords or topics, and for "
        "datasets a licence.",
    ),
)


def assess(record: RecordRead, facts: PublicationFacts) -> FairAssessment:
    results = []
    for metric in METRICS:
        passed = metric.check(record, facts)
        results.append(
            FairMetricResult(
                id=metric.id,
                principle=metric.principle,
                name=metric.name,
                passed=passed,
                hint=None if passed else metric.hint_for(record),
            )
        )
    passed_count = sum(r.passed for r in results)
    return FairAssessment(
        record_id=record.id,
        score=round(passed_count / len(results), 4),
        passed=passed_count,
        total=len(results),
        metrics=results,
    )

"""A record as schema.org JSON-LD conforming to its Bioschemas profile.

Dataset 1.0-RELEASE, ComputationalTool 1.0-RELEASE (``SoftwareApplication``),
TrainingMaterial 1.0-RELEASE (``LearningResource``) and, for a course instance, Course
1.0-RELEASE with a nested CourseInstance 1.0-RELEASE. Each node states
``dct:conformsTo`` its profile, as the Bioschemas guidelines ask.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from converge_metadata.publishing.context import PublicationContext
from converge_metadata.publishing.terms import (
    best_text,
    doi_url,
    licence_url,
    pid,
    term_iri,
    term_label,
)
from converge_metadata.records.schemas import Agent, RecordRead, Term

__all__ = ["PROFILES", "to_bioschemas"]

_BIOSCHEMAS = "https://bioschemas.org/profiles/"
PROFILES = {
    "Dataset": _BIOSCHEMAS + "Dataset/1.0-RELEASE",
    "Software": _BIOSCHEMAS + "ComputationalTool/1.0-RELEASE",
    "TrainingMaterial": _BIOSCHEMAS + "TrainingMaterial/1.0-RELEASE",
    "CourseInstance": _BIOSCHEMAS + "Course/1.0-RELEASE",
}
COURSE_INSTANCE_PROFILE = _BIOSCHEMAS + "CourseInstance/1.0-RELEASE"
_SCHEMA_TYPES = {
    "Dataset": "Dataset",
    "Software": "SoftwareApplication",
    "TrainingMaterial": "LearningResource",
    "CourseInstance": "Course",
}
CONFORMS_TO = "http://purl.org/dc/terms/conformsTo"


def _when(value: date | datetime) -> str:
    """A course date; a naive midnight is how the model holds a date given without a time."""
    if isinstance(value, datetime) and value.tzinfo is None and value.time() == time.min:
        return value.date().isoformat()
    return value.isoformat()


def _conforms(profile: str) -> dict[str, str]:
    return {"@id": profile, "@type": "CreativeWork"}


def _term(term: Term) -> dict[str, str]:
    return {"@type": "DefinedTerm", "@id": term_iri(term), "name": term_label(term)}


def _agent(agent: Agent) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": agent.type, "name": agent.name}
    if agent.orcid:
        node["@id"] = agent.orcid
        node["identifier"] = agent.orcid
    if agent.affiliation:
        node["affiliation"] = {"@type": "Organization", "name": agent.affiliation}
    return node


def _licences(record: RecordRead) -> list[Any]:
    """schema:license takes a URL or a CreativeWork: the SPDX licence's URL, then each rights
    statement (a bare URL, or a CreativeWork with its text as name)."""
    out: list[Any] = [licence_url(record.license)] if record.license else []
    for statement in record.rights:
        if statement.text is None and statement.uri is not None:
            out.append(statement.uri)
            continue
        work: dict[str, Any] = {"@type": "CreativeWork", "name": statement.text}
        if statement.uri:
            work["url"] = statement.uri
        if statement.language:
            work["inLanguage"] = statement.language
        out.append(work)
    return out


def _common(record: RecordRead, context: PublicationContext) -> dict[str, Any]:
    url = context.record_url(record.id)
    doc: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": _SCHEMA_TYPES[record.type],
        "@id": context.record_api_url(record.id),
        CONFORMS_TO: _conforms(PROFILES[record.type]),
        "name": best_text(record.title),
        "url": record.landing_page or url,
        "mainEntityOfPage": url,
        "dateModified": (record.modified or record.modified_at.date()).isoformat(),
        "version": str(record.version),
    }
    found = pid(record)
    identifiers = [doi_url(found[1])] if found and found[0] == "doi" else []
    identifiers += [i.value for i in record.identifiers if i.scheme != "doi"]
    doc["identifier"] = identifiers or [url]
    if record.description:
        doc["description"] = best_text(record.description)
    keywords = [*record.keywords, *(term_label(t) for t in record.topics)]
    if keywords:
        doc["keywords"] = keywords
    if record.topics:
        doc["about"] = [_term(t) for t in record.topics]
    if licences := _licences(record):
        doc["license"] = licences[0] if len(licences) == 1 else licences
    if record.creators:
        doc["creator" if record.type == "Dataset" else "author"] = [
            _agent(a) for a in record.creators
        ]
    if record.publisher is not None:
        publisher = {"@type": "Organization", "name": record.publisher.name}
        doc["publisher"] = publisher
    if record.issued:
        doc["datePublished"] = record.issued.isoformat()
    if record.languages:
        doc["inLanguage"] = record.languages
    citations = [
        doi_url(p.doi) if p.doi else p.url or f"https://pubmed.ncbi.nlm.nih.gov/{p.pmid}/"
        for p in record.publications
    ]
    if citations:
        doc["citation"] = citations
    return doc


def _dataset(doc: dict[str, Any], record: RecordRead, context: PublicationContext) -> None:
    doc["includedInDataCatalog"] = {"@type": "DataCatalog", "@id": context.catalog_url}
    doc["isAccessibleForFree"] = record.access.level != "controlled"
    if record.access.level == "controlled" and record.access.dac is not None:
        doc["conditionsOfAccess"] = (
            "Access on request to "
            + record.access.dac.name
            + "; "
            + (", ".join(term_label(t) for t in record.access.data_use))
        )
    part = record.dataset
    if part is None:
        return
    if part.organisms:
        doc["taxonomicRange"] = [_term(t) for t in part.organisms]
    downloads = []
    for dist in part.distributions:
        node: dict[str, Any] = {
            "@type": "DataDownload",
            "contentUrl": dist.download_url or dist.access_url,
        }
        if dist.media_type:
            node["encodingFormat"] = dist.media_type
        if dist.byte_size is not None:
            node["contentSize"] = f"{dist.byte_size} B"
        downloads.append(node)
    if downloads:
        doc["distribution"] = downloads


def _software(doc: dict[str, Any], record: RecordRead) -> None:
    doc["applicationCategory"] = "Computational science tool"
    part = record.software
    if part is None:
        return
    if part.operations:
        doc["featureList"] = [_term(t) for t in part.operations]
    if part.input_formats:
        doc["input"] = [_term(t) for t in part.input_formats]
    if part.output_formats:
        doc["output"] = [_term(t) for t in part.output_formats]
    if part.code_repository:
        doc["codeRepository"] = part.code_repository
    if part.software_version:
        doc["softwareVersion"] = part.software_version
    if part.biotools_id:
        doc["sameAs"] = f"https://bio.tools/{part.biotools_id}"


def _training(doc: dict[str, Any], record: RecordRead) -> None:
    part = record.training
    if part is None:
        return
    if part.audience:
        doc["audience"] = [{"@type": "Audience", "audienceType": a} for a in part.audience]
    if part.level:
        doc["educationalLevel"] = part.level
    if part.learning_outcomes:
        doc["teaches"] = part.learning_outcomes


def _course_instance(doc: dict[str, Any], record: RecordRead) -> None:
    course = record.course
    if course is None:
        return
    instance: dict[str, Any] = {
        "@type": "CourseInstance",
        CONFORMS_TO: _conforms(COURSE_INSTANCE_PROFILE),
        "startDate": _when(course.start_date),
        "endDate": _when(course.end_date),
        "courseMode": "online" if course.online else "onsite",
    }
    if course.location is not None:
        place: dict[str, Any] = {"@type": "Place", "name": course.location.name}
        if course.location.country or course.location.address:
            place["address"] = {
                "@type": "PostalAddress",
                **({"streetAddress": course.location.address} if course.location.address else {}),
                **({"addressCountry": course.location.country} if course.location.country else {}),
            }
        instance["location"] = place
    elif course.online:
        instance["location"] = {"@type": "VirtualLocation", "name": "Online"}
    if course.capacity is not None:
        instance["maximumAttendeeCapacity"] = course.capacity
    doc["hasCourseInstance"] = [instance]


def to_bioschemas(record: RecordRead, *, context: PublicationContext) -> dict[str, Any]:
    """``application/ld+json`` of one record (schema.org, Bioschemas profile of its type)."""
    doc = _common(record, context)
    if record.type == "Dataset":
        _dataset(doc, record, context)
    elif record.type == "Software":
        _software(doc, record)
    else:
        _training(doc, record)
        if record.type == "CourseInstance":
            _course_instance(doc, record)
    return doc

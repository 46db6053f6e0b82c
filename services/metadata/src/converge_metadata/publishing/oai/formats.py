"""The metadata formats the repository disseminates, each a function of one record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from converge_metadata.publishing.context import PublicationContext
from converge_metadata.publishing.datacite import DATACITE_NS, DATACITE_SCHEMA, datacite_element
from converge_metadata.publishing.dcat.graph import to_dcat_graph
from converge_metadata.publishing.oai.xmltext import attr, text
from converge_metadata.publishing.terms import DCMI_TYPES, doi_url, licence_url, pid, term_label
from converge_metadata.records.schemas import RecordRead

__all__ = ["FORMATS", "MetadataFormat", "oai_dc"]

Render = Callable[[RecordRead, PublicationContext], str]


@dataclass(frozen=True)
class MetadataFormat:
    prefix: str
    schema: str
    namespace: str
    render: Render


_DC_OPEN = (
    '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/ '
    'http://www.openarchives.org/OAI/2.0/oai_dc.xsd">'
)


def _dc(parts: list[str], name: str, value: str, lang: str | None = None) -> None:
    lang_attr = f' xml:lang="{attr(lang)}"' if lang else ""
    parts.append(f"<dc:{name}{lang_attr}>{text(value)}</dc:{name}>")


def _dc_identifiers(parts: list[str], record: RecordRead, context: PublicationContext) -> None:
    _dc(parts, "identifier", context.record_url(record.id))
    found = pid(record)
    if found is not None and found[0] == "doi":
        _dc(parts, "identifier", doi_url(found[1]))
    for identifier in record.identifiers:
        if identifier.scheme not in ("doi",):
            _dc(parts, "identifier", identifier.value)
    for publication in record.publications:
        if publication.doi:
            _dc(parts, "relation", doi_url(publication.doi))
        elif publication.url:
            _dc(parts, "relation", publication.url)


def oai_dc(record: RecordRead, context: PublicationContext) -> str:
    """Simple Dublin Core, built as text: the hot path of a full harvest."""
    parts = [_DC_OPEN]
    for lang, title in record.title.items():
        _dc(parts, "title", title, lang)
    for agent in record.creators:
        _dc(parts, "creator", agent.name)
    for term in record.topics:
        _dc(parts, "subject", term_label(term))
    for keyword in record.keywords:
        _dc(parts, "subject", keyword)
    for lang, description in record.description.items():
        _dc(parts, "description", description, lang)
    _dc(parts, "publisher", record.publisher.name if record.publisher else context.node_name)
    for contributor in record.contributors:
        _dc(parts, "contributor", contributor.name)
    if record.issued:
        _dc(parts, "date", record.issued.isoformat())
    _dc(parts, "type", DCMI_TYPES[record.type])
    if record.dataset is not None:
        for media in sorted({d.media_type for d in record.dataset.distributions if d.media_type}):
            _dc(parts, "format", media)
    _dc_identifiers(parts, record, context)
    for language in record.languages:
        _dc(parts, "language", language)
    if record.course is not None and record.course.location is not None:
        _dc(parts, "coverage", record.course.location.name)
    if record.license:
        _dc(parts, "rights", licence_url(record.license))
    for statement in record.rights:
        if statement.text:
            _dc(parts, "rights", statement.text, statement.language)
        if statement.uri:
            _dc(parts, "rights", statement.uri)
    level = "restrictedAccess" if record.access.level == "controlled" else "openAccess"
    _dc(parts, "rights", f"info:eu-repo/semantics/{level}")
    parts.append("</oai_dc:dc>")
    return "".join(parts)


def oai_datacite(record: RecordRead, context: PublicationContext) -> str:
    return etree.tostring(datacite_element(record, context=context), encoding="unicode")


def dcat_rdf(record: RecordRead, context: PublicationContext) -> str:
    rdfxml = to_dcat_graph([record], context=context).serialize(format="xml")
    # the OAI-PMH envelope carries the XML declaration
    return rdfxml.split("?>", 1)[1].lstrip() if rdfxml.startswith("<?xml") else rdfxml


FORMATS: dict[str, MetadataFormat] = {
    f.prefix: f
    for f in (
        MetadataFormat(
            "oai_dc",
            "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
            "http://www.openarchives.org/OAI/2.0/oai_dc/",
            oai_dc,
        ),
        MetadataFormat("oai_datacite", DATACITE_SCHEMA, DATACITE_NS, oai_datacite),
        MetadataFormat(
            "dcat_ap",
            "http://www.openarchives.org/OAI/2.0/rdf.xsd",
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
            dcat_rdf,
        ),
    )
}

"""A record as a DataCite kernel-4 ``resource`` (valid against metadata.xsd 4.7).

Mandatory properties the record may lack get DataCite's standard value ``(:unav)`` (creator),
the Node (publisher) or the record's own dates (publication year), so every record is
serialisable; the FAIR assessment tells the steward which of them to fill in.
"""

from __future__ import annotations

from datetime import date

from lxml import etree

from converge_metadata.publishing.context import PublicationContext
from converge_metadata.publishing.terms import licence_url, pid, term_iri, term_label
from converge_metadata.records.schemas import Agent, RecordRead

__all__ = ["DATACITE_NS", "DATACITE_SCHEMA", "datacite_element", "to_datacite_xml"]

DATACITE_NS = "http://datacite.org/schema/kernel-4"
DATACITE_SCHEMA = "https://schema.datacite.org/meta/kernel-4/metadata.xsd"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_UNAVAILABLE = "(:unav)"
_RESOURCE_TYPES = {
    "Dataset": "Dataset",
    "Software": "Software",
    "TrainingMaterial": "Text",
    "CourseInstance": "Event",
}
_CONTRIBUTOR_TYPES = frozenset(
    {
        "ContactPerson",
        "DataCollector",
        "DataCurator",
        "DataManager",
        "Distributor",
        "Editor",
        "HostingInstitution",
        "Other",
        "Producer",
        "ProjectLeader",
        "ProjectManager",
        "ProjectMember",
        "RegistrationAgency",
        "RegistrationAuthority",
        "RelatedPerson",
        "ResearchGroup",
        "RightsHolder",
        "Researcher",
        "Sponsor",
        "Supervisor",
        "Translator",
        "WorkPackageLeader",
    }
)
_PID_TYPES = {"doi": "DOI", "handle": "Handle", "ark": "ARK"}
_ALT_TYPES = {"accession": "Accession", "biotools": "bio.tools", "url": "URL", "other": "Other"}


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{DATACITE_NS}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def _agent(parent: etree._Element, kind: str, agent: Agent) -> etree._Element:
    node = etree.SubElement(parent, f"{{{DATACITE_NS}}}{kind}")
    name_type = "Personal" if agent.type == "Person" else "Organizational"
    _sub(node, f"{kind}Name", agent.name, nameType=name_type)
    if agent.orcid:
        _sub(
            node,
            "nameIdentifier",
            agent.orcid,
            nameIdentifierScheme="ORCID",
            schemeURI="https://orcid.org",
        )
    if agent.affiliation:
        _sub(node, "affiliation", agent.affiliation)
    return node


def _publication_year(record: RecordRead) -> str:
    when: date = record.issued or (record.published_at or record.created_at).date()
    return f"{when.year:04d}"


def _identifiers(root: etree._Element, record: RecordRead, context: PublicationContext) -> None:
    found = pid(record)
    if found is not None:
        _sub(root, "identifier", found[1], identifierType=_PID_TYPES[found[0]])
    else:
        _sub(root, "identifier", context.record_url(record.id), identifierType="URL")
    alternates = _sub(root, "alternateIdentifiers")
    _sub(alternates, "alternateIdentifier", record.global_id, alternateIdentifierType="local")
    for identifier in record.identifiers:
        if found is not None and identifier.value == found[1]:
            continue
        kind = _PID_TYPES.get(identifier.scheme) or _ALT_TYPES[identifier.scheme]
        _sub(alternates, "alternateIdentifier", identifier.value, alternateIdentifierType=kind)


def _people(root: etree._Element, record: RecordRead, context: PublicationContext) -> None:
    creators = _sub(root, "creators")
    for agent in record.creators:
        _agent(creators, "creator", agent)
    if not record.creators:
        creator = _sub(creators, "creator")
        _sub(creator, "creatorName", _UNAVAILABLE)
    if record.contributors:
        contributors = _sub(root, "contributors")
        for contributor in record.contributors:
            role = contributor.role if contributor.role in _CONTRIBUTOR_TYPES else "Other"
            node = _agent(contributors, "contributor", contributor)
            node.set("contributorType", role or "Other")
    publisher = record.publisher.name if record.publisher else context.node_name
    _sub(root, "publisher", publisher)


def _texts(root: etree._Element, record: RecordRead) -> None:
    titles = _sub(root, "titles")
    for lang, text in record.title.items():
        _sub(titles, "title", text, **{_XML_LANG: lang})
    if record.description:
        descriptions = _sub(root, "descriptions")
        for lang, text in record.description.items():
            _sub(descriptions, "description", text, descriptionType="Abstract", **{_XML_LANG: lang})
    if record.languages:
        _sub(root, "language", record.languages[0])


def _subjects(root: etree._Element, record: RecordRead) -> None:
    terms = list(record.topics)
    if record.dataset is not None:
        terms += record.dataset.organisms
    if record.software is not None:
        terms += record.software.operations
    if not terms and not record.keywords:
        return
    subjects = _sub(root, "subjects")
    for term in terms:
        iri = term_iri(term)
        scheme = "NCBI Taxonomy" if "NCBITaxon" in iri else "EDAM"
        _sub(subjects, "subject", term_label(term), subjectScheme=scheme, valueURI=iri)
    for keyword in record.keywords:
        _sub(subjects, "subject", keyword)


def _dates(root: etree._Element, record: RecordRead) -> None:
    dates = _sub(root, "dates")
    if record.issued:
        _sub(dates, "date", record.issued.isoformat(), dateType="Issued")
    _sub(
        dates,
        "date",
        (record.modified or record.modified_at.date()).isoformat(),
        dateType="Updated",
    )
    if record.access.embargo_until:
        _sub(dates, "date", record.access.embargo_until.isoformat(), dateType="Available")
    _sub(dates, "date", record.created_at.date().isoformat(), dateType="Created")


def _rights(root: etree._Element, record: RecordRead) -> None:
    rights = _sub(root, "rightsList")
    if record.license:
        _sub(
            rights,
            "rights",
            record.license,
            rightsURI=licence_url(record.license),
            rightsIdentifier=record.license,
            rightsIdentifierScheme="SPDX",
            schemeURI="https://spdx.org/licenses/",
        )
    for statement in record.rights:
        attrs = {_XML_LANG: statement.language} if statement.language else {}
        if statement.uri:
            attrs["rightsURI"] = statement.uri
        _sub(rights, "rights", statement.text, **attrs)
    if record.access.level == "controlled":
        _sub(
            rights,
            "rights",
            "Restricted access",
            rightsURI="info:eu-repo/semantics/restrictedAccess",
        )
        for term in record.access.data_use:
            _sub(rights, "rights", term_label(term), rightsURI=term_iri(term))
    else:
        _sub(rights, "rights", "Open access", rightsURI="info:eu-repo/semantics/openAccess")


def _relations(root: etree._Element, record: RecordRead) -> None:
    related = []
    for publication in record.publications:
        if publication.doi:
            related.append(("DOI", publication.doi))
        elif publication.pmid:
            related.append(("PMID", publication.pmid))
        elif publication.url:
            related.append(("URL", publication.url))
    if record.software is not None and record.software.code_repository:
        related.append(("URL", record.software.code_repository))
    if not related:
        return
    node = _sub(root, "relatedIdentifiers")
    for kind, value in related:
        relation = "IsSupplementedBy" if value.startswith("http") and kind == "URL" else "IsCitedBy"
        _sub(node, "relatedIdentifier", value, relatedIdentifierType=kind, relationType=relation)


def _distribution(root: etree._Element, record: RecordRead) -> None:
    if record.dataset is None or not record.dataset.distributions:
        return
    distributions = record.dataset.distributions
    media = sorted({d.media_type for d in distributions if d.media_type})
    sizes = [d.byte_size for d in distributions if d.byte_size is not None]
    if sizes:
        node = _sub(root, "sizes")
        for size in sizes:
            _sub(node, "size", f"{size} bytes")
    if media:
        node = _sub(root, "formats")
        for media_type in media:
            _sub(node, "format", media_type)


def _funding(root: etree._Element, record: RecordRead) -> None:
    if not record.funding:
        return
    node = _sub(root, "fundingReferences")
    for funding in record.funding:
        reference = _sub(node, "fundingReference")
        _sub(reference, "funderName", funding.funder)
        if funding.funder_id:
            kind = "ROR" if "ror.org" in funding.funder_id else "Other"
            _sub(reference, "funderIdentifier", funding.funder_id, funderIdentifierType=kind)
        if funding.award_number:
            _sub(reference, "awardNumber", funding.award_number)
        if funding.award_title:
            _sub(reference, "awardTitle", funding.award_title)


def datacite_element(record: RecordRead, *, context: PublicationContext) -> etree._Element:
    """The ``resource`` element, for embedding (OAI-PMH ``oai_datacite``) or serialising."""
    root = etree.Element(
        f"{{{DATACITE_NS}}}resource",
        nsmap={None: DATACITE_NS, "xsi": _XSI},  # type: ignore[dict-item]
    )
    root.set(f"{{{_XSI}}}schemaLocation", f"{DATACITE_NS} {DATACITE_SCHEMA}")
    _identifiers(root, record, context)
    _people(root, record, context)
    _texts(root, record)
    _sub(root, "publicationYear", _publication_year(record))
    kind = _RESOURCE_TYPES[record.type]
    _sub(root, "resourceType", record.type, resourceTypeGeneral=kind)
    _subjects(root, record)
    _dates(root, record)
    _relations(root, record)
    _distribution(root, record)
    if record.software is not None and record.software.software_version:
        _sub(root, "version", record.software.software_version)
    else:
        _sub(root, "version", str(record.version))
    _rights(root, record)
    _funding(root, record)
    return root


def to_datacite_xml(record: RecordRead, *, context: PublicationContext) -> bytes:
    """``application/vnd.datacite.datacite+xml`` of one record."""
    return etree.tostring(
        datacite_element(record, context=context), xml_declaration=True, encoding="UTF-8"
    )

"""Records as DCAT-AP 3 resources, with the FAIR Data Point metadata on each.

Every node gets an IRI (the record's API URL plus a fragment for its parts) rather than a
blank node, so the Turtle, JSON-LD and RDF/XML serialisations compare triple for triple and a
harvester can address each distribution. Classes the DCAT-AP range shapes require of an
object (licence document, media type, rights statement, agent, ...) are stated explicitly.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from converge_metadata import __version__
from converge_metadata.publishing.context import PublicationContext
from converge_metadata.publishing.dcat.vocab import (
    ADMS,
    DATACITE,
    DCAT,
    DCAT_VERSION,
    DCMITYPE,
    DCT,
    FDP,
    FOAF,
    RDF,
    RDFS,
    SKOS,
    SPDX,
    VCARD,
    XSD,
    bind_prefixes,
)
from converge_metadata.publishing.terms import (
    DCMI_TYPES,
    access_rights_iri,
    best_text,
    doi_url,
    licence_url,
    mailto_iri,
    pid,
    term_iri,
    term_label,
)
from converge_metadata.records.schemas import Agent, Distribution, RecordRead

__all__ = [
    "DATA_THEME_SCHEME",
    "add_catalog_service",
    "add_node_agent",
    "add_oai_service",
    "add_record",
    "as_datetime",
    "part_iri",
    "resource",
    "service_iri",
    "to_dcat_graph",
]

EDAM_SCHEME = URIRef("http://edamontology.org")
DATA_THEME_SCHEME = URIRef("http://publications.europa.eu/resource/authority/data-theme")
# every CONVERGE record is a life-science resource: the EU data theme the DCAT-AP recommends,
# and the one theme the FAIR Data Point's dataset shape requires when no EDAM topic is given
_SCIENCE_THEME = URIRef(f"{DATA_THEME_SCHEME}/TECH")
DCT_FORMAT = URIRef("http://purl.org/dc/terms/format")
_OAI_PMH = URIRef("http://www.openarchives.org/OAI/2.0/openarchivesprotocol.htm")
_DCAT_AP = URIRef("http://data.europa.eu/r5r/")
_LANGUAGE = "http://id.loc.gov/vocabulary/iso639-1/"
_MEDIA_TYPE = "https://www.iana.org/assignments/media-types/"


def service_iri(context: PublicationContext) -> URIRef:
    return URIRef(f"{context.base_url}/#service")


def node_agent_iri(context: PublicationContext) -> URIRef:
    return URIRef(f"{context.base_url}/#node")


def resource(graph: Graph, url: str) -> URIRef:
    """A web address as the object of a property whose DCAT-AP range is ``rdfs:Resource``."""
    node = URIRef(url)
    graph.add((node, RDF.type, RDFS.Resource))
    return node


def part_iri(iri: URIRef, name: str) -> URIRef:
    """The IRI of a part of ``iri``: a fragment, or a longer fragment when ``iri`` has one
    already (an IRI holds at most one ``#``)."""
    return URIRef(f"{iri}-{name}" if "#" in iri else f"{iri}#{name}")


def _date(value: date | datetime) -> Literal:
    if isinstance(value, datetime):
        return Literal(value.replace(microsecond=0), datatype=XSD.dateTime)
    return Literal(value, datatype=XSD.date)


def as_datetime(value: date | datetime) -> Literal:
    """An ``xsd:dateTime``, as the FAIR Data Point shapes require of ``dct:issued`` and
    ``dct:modified`` (DCAT-AP allows either); a date is its first instant in UTC."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    return Literal(value.replace(microsecond=0), datatype=XSD.dateTime)


def _name(graph: Graph, agent: URIRef, name: str) -> None:
    """One ``foaf:name`` per agent: an agent (an ORCID iD, a ROR id) named differently by
    two records keeps the first name met."""
    if graph.value(agent, FOAF.name) is None:
        graph.add((agent, FOAF.name, Literal(name)))


def add_node_agent(graph: Graph, context: PublicationContext) -> URIRef:
    """The Node as publisher and contact point of last resort."""
    agent = node_agent_iri(context)
    graph.add((agent, RDF.type, FOAF.Agent))
    graph.add((agent, RDF.type, FOAF.Organization))
    _name(graph, agent, context.node_name)
    contact = URIRef(f"{context.base_url}/#contact")
    graph.add((contact, RDF.type, VCARD.Kind))
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal(context.node_name)))
    graph.add((contact, VCARD.hasEmail, URIRef(mailto_iri(context.admin_email))))
    return agent


def _data_service(
    graph: Graph,
    context: PublicationContext,
    iri: URIRef,
    *,
    title: str,
    endpoint: str,
    standard: URIRef,
) -> URIRef:
    """One endpoint per data service, as the FAIR Data Point's shape allows one
    ``dcat:endpointURL``; the OpenAPI document is the service's documentation page (DCAT-AP
    wants ``dcat:endpointDescription`` to be a resource, the FDP a literal: neither is said)."""
    graph.add((iri, RDF.type, DCAT.DataService))
    graph.add((iri, DCT.title, Literal(title, lang="en")))
    graph.add((iri, DCAT.endpointURL, resource(graph, endpoint)))
    openapi = URIRef(f"{context.base_url}/openapi.json")
    graph.add((openapi, RDF.type, FOAF.Document))
    graph.add((iri, FOAF.page, openapi))
    graph.add((iri, DCT.publisher, add_node_agent(graph, context)))
    graph.add((iri, DCAT_VERSION, Literal(__version__)))
    graph.add((standard, RDF.type, DCT.Standard))
    graph.add((iri, DCT.conformsTo, standard))
    return iri


def add_catalog_service(graph: Graph, context: PublicationContext) -> URIRef:
    """The DCAT-AP catalogue endpoint, the access service of every distribution."""
    title = f"{context.node_name} metadata service: catalogue"
    return _data_service(
        graph,
        context,
        service_iri(context),
        title=title,
        endpoint=context.catalog_url,
        standard=_DCAT_AP,
    )


def add_oai_service(graph: Graph, context: PublicationContext) -> URIRef:
    title = f"{context.node_name} metadata service: OAI-PMH"
    iri = URIRef(f"{context.base_url}/#oai")
    return _data_service(
        graph, context, iri, title=title, endpoint=context.oai_url, standard=_OAI_PMH
    )


def _agent(graph: Graph, iri: URIRef, agent: Agent) -> URIRef:
    node = URIRef(agent.orcid) if agent.orcid else iri
    graph.add((node, RDF.type, FOAF.Agent))
    graph.add((node, RDF.type, FOAF.Person if agent.type == "Person" else FOAF.Organization))
    _name(graph, node, agent.name)
    return node


def _publisher(graph: Graph, iri: URIRef, record: RecordRead, context: PublicationContext) -> Node:
    if record.publisher is None:
        return add_node_agent(graph, context)
    org = record.publisher
    node = URIRef(org.ror or org.url or f"{iri}#publisher")
    graph.add((node, RDF.type, FOAF.Agent))
    graph.add((node, RDF.type, FOAF.Organization))
    _name(graph, node, org.name)
    return node


def _concept(graph: Graph, iri: str, label: str) -> URIRef:
    node = URIRef(iri)
    graph.add((node, RDF.type, SKOS.Concept))
    graph.add((node, SKOS.prefLabel, Literal(label)))
    return node


def _preferred(texts: dict[str, str]) -> tuple[str, str]:
    """(language, text): English when given, else the first language."""
    lang = "en" if "en" in texts else next(iter(texts))
    return lang, texts[lang]


def _texts(graph: Graph, iri: URIRef, record: RecordRead, context: PublicationContext) -> None:
    # The FAIR Data Point shapes allow one dct:title, dct:description and dct:language per
    # resource: the preferred language's; titles in other languages are dct:alternative.
    lang, title = _preferred(record.title)
    graph.add((iri, DCT.title, Literal(title, lang=lang)))
    for other, text in record.title.items():
        if other != lang:
            graph.add((iri, DCT.alternative, Literal(text, lang=other)))
    if record.description:
        lang, text = _preferred(record.description)
        graph.add((iri, DCT.description, Literal(text, lang=lang)))
    else:
        # dct:description is mandatory in DCAT-AP; the FAIR assessment asks for a real one
        summary = f"{record.type} '{best_text(record.title)}' published by {context.node_name}"
        graph.add((iri, DCT.description, Literal(summary, lang="en")))
    for keyword in record.keywords:
        graph.add((iri, DCAT.keyword, Literal(keyword)))
    if record.languages:
        lang_iri = URIRef(_LANGUAGE + record.languages[0].split("-")[0])
        graph.add((lang_iri, RDF.type, DCT.LinguisticSystem))
        graph.add((iri, DCT.language, lang_iri))


def _annotations(graph: Graph, iri: URIRef, record: RecordRead) -> None:
    for term in record.topics:
        concept = _concept(graph, term_iri(term), term_label(term))
        graph.add((concept, SKOS.inScheme, EDAM_SCHEME))
        graph.add((iri, DCAT.theme, concept))
    science = _concept(graph, str(_SCIENCE_THEME), "Science and technology")
    graph.add((science, SKOS.inScheme, DATA_THEME_SCHEME))
    graph.add((iri, DCAT.theme, science))
    organisms = record.dataset.organisms if record.dataset else []
    for term in organisms:
        graph.add((iri, DCT.subject, _concept(graph, term_iri(term), term_label(term))))
    for publication in record.publications:
        ref = publication.url or (
            doi_url(publication.doi)
            if publication.doi
            else f"https://pubmed.ncbi.nlm.nih.gov/{publication.pmid}/"
        )
        graph.add((iri, DCT.isReferencedBy, resource(graph, ref)))


def _identifiers(graph: Graph, iri: URIRef, record: RecordRead) -> None:
    found = pid(record)
    graph.add((iri, DCT.identifier, Literal(record.global_id)))
    if found is not None and found[0] == "doi":
        graph.add((iri, DCT.identifier, Literal(doi_url(found[1]))))
    for index, identifier in enumerate(record.identifiers):
        node = URIRef(f"{iri}#identifier-{index}")
        graph.add((node, RDF.type, ADMS.Identifier))
        graph.add((node, SKOS.notation, Literal(identifier.value)))
        graph.add((node, RDFS.label, Literal(identifier.scheme)))
        graph.add((iri, ADMS.identifier, node))


def _licence(graph: Graph, record: RecordRead) -> URIRef | None:
    if not record.license:
        return None
    node = URIRef(licence_url(record.license))
    graph.add((node, RDF.type, DCT.LicenseDocument))
    graph.add((node, DCT.identifier, Literal(record.license)))
    return node


def _rights(graph: Graph, iri: URIRef, record: RecordRead) -> URIRef | None:
    """The record's rights statements that are no SPDX licence, as one ``dct:RightsStatement``
    (DCAT-AP and the FAIR Data Point allow one ``dct:rights`` per resource): a single
    statement's own URI, else a fragment IRI labelled with every statement's text and linking
    each statement's URI by ``rdfs:seeAlso``."""
    statements = record.rights
    if not statements:
        return None
    single = statements[0].uri if len(statements) == 1 else None
    node = URIRef(single or f"{iri}#rights")
    graph.add((node, RDF.type, DCT.RightsStatement))
    for statement in statements:
        if statement.text:
            graph.add((node, RDFS.label, Literal(statement.text, lang=statement.language)))
        if statement.uri and statement.uri != single:
            graph.add((node, RDFS.seeAlso, URIRef(statement.uri)))
    return node


def _distribution(
    graph: Graph,
    node: URIRef,
    dist: Distribution,
    *,
    fallback_title: str,
    licence: URIRef | None,
    service: URIRef,
) -> None:
    graph.add((node, RDF.type, DCAT.Distribution))
    access = dist.access_url or dist.download_url
    assert access is not None  # a Distribution has one of the two by validation
    graph.add((node, DCAT.accessURL, resource(graph, access)))
    if dist.download_url:
        graph.add((node, DCAT.downloadURL, resource(graph, dist.download_url)))
    # the FAIR Data Point's resource shape requires a title of every distribution
    graph.add((node, DCT.title, Literal(dist.title or fallback_title)))
    if dist.media_type:
        media = URIRef(_MEDIA_TYPE + dist.media_type)
        graph.add((media, RDF.type, DCT.MediaType))
        graph.add((node, DCAT.mediaType, media))
    if dist.format is not None:
        fmt = URIRef(term_iri(dist.format))
        graph.add((fmt, RDF.type, DCT.MediaTypeOrExtent))
        graph.add((fmt, RDFS.label, Literal(term_label(dist.format))))
        graph.add((node, DCT_FORMAT, fmt))
    if dist.byte_size is not None:
        graph.add((node, DCAT.byteSize, Literal(dist.byte_size, datatype=XSD.nonNegativeInteger)))
    if dist.checksum is not None:
        checksum = part_iri(node, "checksum")
        graph.add((checksum, RDF.type, SPDX.Checksum))
        algorithm = SPDX[f"checksumAlgorithm_{dist.checksum.algorithm}"]
        graph.add((algorithm, RDF.type, SPDX.ChecksumAlgorithm))
        graph.add((checksum, SPDX.algorithm, algorithm))
        value = Literal(dist.checksum.value.lower(), datatype=XSD.hexBinary)
        graph.add((checksum, SPDX.checksumValue, value))
        graph.add((node, SPDX.checksum, checksum))
    if licence is not None:
        graph.add((node, DCT.license, licence))
    graph.add((node, DCAT.accessService, service))


def _distributions(
    graph: Graph, iri: URIRef, record: RecordRead, context: PublicationContext
) -> None:
    licence = _licence(graph, record)
    if licence is not None:
        graph.add((iri, DCT.license, licence))
    rights = _rights(graph, iri, record)
    if rights is not None:
        graph.add((iri, DCT.rights, rights))
    dists = record.dataset.distributions if record.dataset else []
    for index, dist in enumerate(dists):
        node = URIRef(f"{iri}#distribution-{index}")
        fallback = f"{best_text(record.title)}, distribution {index + 1}"
        service = add_catalog_service(graph, context)
        _distribution(graph, node, dist, fallback_title=fallback, licence=licence, service=service)
        if rights is not None:
            graph.add((node, DCT.rights, rights))
        graph.add((iri, DCAT.distribution, node))
        _fdp(graph, node, record, iri)
        graph.add((node, DCT.publisher, _publisher(graph, iri, record, context)))
    dac = record.access.dac
    if record.access.level == "controlled" and dac is not None:
        node = _controlled(graph, iri, record, URIRef(dac.url or mailto_iri(str(dac.email))))
        _fdp(graph, node, record, iri)
        graph.add((node, DCT.publisher, _publisher(graph, iri, record, context)))


def _controlled(graph: Graph, iri: URIRef, record: RecordRead, access: URIRef) -> URIRef:
    """Controlled data: a distribution that is a request to the data access committee, under
    the DUO conditions as rights statements."""
    dac = record.access.dac
    assert dac is not None
    node = URIRef(f"{iri}#access-request")
    graph.add((iri, DCAT.distribution, node))
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, DCAT.accessURL, resource(graph, str(access))))
    graph.add((node, DCT.title, Literal(f"Access request to {dac.name}", lang="en")))
    for term in record.access.data_use:
        rights = URIRef(term_iri(term))
        graph.add((rights, RDF.type, DCT.RightsStatement))
        graph.add((rights, RDFS.label, Literal(term_label(term))))
        graph.add((node, DCT.rights, rights))
    contact = URIRef(f"{iri}#dac")
    graph.add((contact, RDF.type, VCARD.Kind))
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal(dac.name)))
    if dac.email:
        graph.add((contact, VCARD.hasEmail, URIRef(mailto_iri(dac.email))))
    if dac.url:
        graph.add((contact, VCARD.hasURL, URIRef(dac.url)))
    graph.add((iri, DCAT.contactPoint, contact))
    return node


def _coverage(graph: Graph, iri: URIRef, record: RecordRead) -> None:
    course = record.course
    if course is None:
        return
    period = URIRef(f"{iri}#temporal")
    graph.add((period, RDF.type, DCT.PeriodOfTime))
    graph.add((period, DCAT.startDate, _date(course.start_date)))
    graph.add((period, DCAT.endDate, _date(course.end_date)))
    graph.add((iri, DCT.temporal, period))
    if course.location is not None:
        place = URIRef(f"{iri}#spatial")
        graph.add((place, RDF.type, DCT.Location))
        graph.add((place, RDFS.label, Literal(course.location.name)))
        graph.add((iri, DCT.spatial, place))


def _fdp(graph: Graph, iri: URIRef, record: RecordRead, part_of: URIRef) -> None:
    """FAIR Data Point metadata of a dataset (part of the catalogue) or distribution."""
    identifier = part_iri(iri, "metadata-identifier")
    graph.add((identifier, RDF.type, DATACITE.Identifier))
    graph.add((identifier, DCT.identifier, Literal(str(iri))))
    graph.add((iri, FDP.metadataIdentifier, identifier))
    issued = record.published_at or record.created_at
    graph.add((iri, FDP.metadataIssued, _date(issued)))
    graph.add((iri, FDP.metadataModified, _date(record.modified_at)))
    graph.add((iri, DCT.isPartOf, part_of))
    graph.add((iri, DCAT_VERSION, Literal(str(record.version))))


def add_record(graph: Graph, record: RecordRead, *, context: PublicationContext) -> URIRef:
    """One record: a ``dcat:Dataset``, or for other types a ``dcat:Resource`` with its
    DCMI type, with distributions, agents, themes, rights and FDP metadata."""
    iri = URIRef(context.record_api_url(record.id))
    if record.type == "Dataset":
        graph.add((iri, RDF.type, DCAT.Dataset))
    else:
        graph.add((iri, RDF.type, DCAT.Resource))
    kind = DCMITYPE[DCMI_TYPES[record.type]]
    graph.add((kind, RDF.type, SKOS.Concept))
    graph.add((kind, SKOS.prefLabel, Literal(DCMI_TYPES[record.type], lang="en")))
    graph.add((iri, DCT.type, kind))
    _texts(graph, iri, record, context)
    _identifiers(graph, iri, record)
    _annotations(graph, iri, record)
    publisher = _publisher(graph, iri, record, context)
    graph.add((iri, DCT.publisher, publisher))
    for index, creator in enumerate(record.creators):
        graph.add((iri, DCT.creator, _agent(graph, URIRef(f"{iri}#creator-{index}"), creator)))
    if record.access.level != "controlled":
        add_node_agent(graph, context)
        graph.add((iri, DCAT.contactPoint, URIRef(f"{context.base_url}/#contact")))
    if record.issued:
        graph.add((iri, DCT.issued, as_datetime(record.issued)))
    graph.add((iri, DCT.modified, as_datetime(record.modified or record.modified_at)))
    landing = URIRef(record.landing_page or context.record_url(record.id))
    graph.add((landing, RDF.type, FOAF.Document))
    graph.add((iri, DCAT.landingPage, landing))
    rights = URIRef(access_rights_iri(record.access.level))
    graph.add((rights, RDF.type, DCT.RightsStatement))
    graph.add((iri, DCT.accessRights, rights))
    _distributions(graph, iri, record, context)
    _coverage(graph, iri, record)
    _fdp(graph, iri, record, URIRef(context.catalog_url))
    return iri


def to_dcat_graph(records: Iterable[RecordRead], *, context: PublicationContext) -> Graph:
    """The DCAT-AP description of ``records`` (no catalogue around them)."""
    graph = Graph()
    bind_prefixes(graph)
    for record in records:
        add_record(graph, record, context=context)
    return graph

"""The catalogue, one dataset, and the FAIR Data Point root, as RDF graphs."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime

from converge_common.errors import NotFound
from converge_common.tokens import SignedToken
from pydantic import BaseModel
from rdflib import Graph, Literal, URIRef
from sqlalchemy.ext.asyncio import AsyncSession

from converge_metadata import __version__
from converge_metadata.publishing import repository
from converge_metadata.publishing.context import PublicationContext
from converge_metadata.publishing.dcat.graph import (
    DATA_THEME_SCHEME,
    add_catalog_service,
    add_node_agent,
    add_oai_service,
    add_record,
    part_iri,
    resource,
    service_iri,
)
from converge_metadata.publishing.dcat.vocab import (
    DATACITE,
    DCAT,
    DCAT_RESOURCE,
    DCAT_VERSION,
    DCT,
    FDP,
    HYDRA,
    RDF,
    SKOS,
    XSD,
    bind_prefixes,
)
from converge_metadata.publishing.views import anonymous_read, is_visible

__all__ = ["CatalogPage", "catalog_page", "dataset_graph", "fdp_root_graph"]


def _member_property(record_type: str) -> URIRef:
    """How the catalogue lists a record: datasets by ``dcat:dataset``, every other record
    (software, training, courses: ``dcat:Resource``) by DCAT 3's ``dcat:resource``."""
    return DCAT.dataset if record_type == "Dataset" else DCAT_RESOURCE


@dataclass(frozen=True)
class CatalogPage:
    graph: Graph
    next_cursor: str | None


def _fdp_metadata(graph: Graph, iri: URIRef, *, issued: datetime, modified: datetime) -> None:
    identifier = part_iri(iri, "metadata-identifier")
    graph.add((identifier, RDF.type, DATACITE.Identifier))
    graph.add((identifier, DCT.identifier, Literal(str(iri))))
    graph.add((iri, FDP.metadataIdentifier, identifier))
    graph.add(
        (iri, FDP.metadataIssued, Literal(issued.replace(microsecond=0), datatype=XSD.dateTime))
    )
    graph.add(
        (iri, FDP.metadataModified, Literal(modified.replace(microsecond=0), datatype=XSD.dateTime))
    )
    graph.add((iri, DCAT_VERSION, Literal(__version__)))


def _catalog(
    graph: Graph, context: PublicationContext, *, issued: datetime, modified: datetime
) -> URIRef:
    catalog = URIRef(context.catalog_url)
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCT.title, Literal(f"{context.node_name} catalogue", lang="en")))
    description = f"Datasets, software and training published by {context.node_name} (CONVERGE)."
    graph.add((catalog, DCT.description, Literal(description, lang="en")))
    graph.add((catalog, DCT.publisher, add_node_agent(graph, context)))
    graph.add((catalog, DCAT.contactPoint, URIRef(f"{context.base_url}/#contact")))
    # no dct:isPartOf to the FAIR Data Point root: DCAT-AP's range of a catalogue's
    # dct:isPartOf is dcat:Catalog; the root links here by fdp:metadataCatalog
    edam = URIRef("http://edamontology.org")
    graph.add((edam, RDF.type, SKOS.ConceptScheme))
    graph.add((edam, DCT.title, Literal("EDAM", lang="en")))
    graph.add((catalog, DCAT.themeTaxonomy, edam))
    graph.add((DATA_THEME_SCHEME, RDF.type, SKOS.ConceptScheme))
    graph.add((DATA_THEME_SCHEME, DCT.title, Literal("Data theme", lang="en")))
    graph.add((catalog, DCAT.themeTaxonomy, DATA_THEME_SCHEME))
    graph.add((catalog, DCT.issued, Literal(issued.replace(microsecond=0), datatype=XSD.dateTime)))
    graph.add(
        (catalog, DCT.modified, Literal(modified.replace(microsecond=0), datatype=XSD.dateTime))
    )
    graph.add((catalog, DCAT.service, add_catalog_service(graph, context)))
    graph.add((catalog, DCAT.service, add_oai_service(graph, context)))
    _fdp_metadata(graph, catalog, issued=issued, modified=modified)
    return catalog


def _paging(
    graph: Graph,
    context: PublicationContext,
    *,
    total: int,
    size: int,
    cursor: str | None,
    nxt: str | None,
) -> None:
    """Hydra paging as DCAT-AP harvesters read it (current and legacy Hydra terms)."""
    first = URIRef(context.catalog_url)
    view = URIRef(f"{context.catalog_url}?cursor={cursor}") if cursor else first
    graph.add((view, RDF.type, HYDRA.PartialCollectionView))
    graph.add((view, RDF.type, HYDRA.PagedCollection))
    graph.add((view, HYDRA.first, first))
    graph.add((view, HYDRA.firstPage, first))
    graph.add((view, HYDRA.totalItems, Literal(total, datatype=XSD.nonNegativeInteger)))
    graph.add((view, HYDRA.itemsPerPage, Literal(size, datatype=XSD.nonNegativeInteger)))
    if nxt:
        following = URIRef(f"{context.catalog_url}?cursor={nxt}")
        graph.add((view, HYDRA.next, following))
        graph.add((view, HYDRA.nextPage, following))


class CatalogCursor(BaseModel):
    """Where a catalogue page ended: the last dataset's key."""

    key: int


@functools.cache
def catalog_tokens(secret: str) -> SignedToken[CatalogCursor]:
    """The catalogue's Hydra ``cursor``; one per secret, built once."""
    return SignedToken(CatalogCursor, secret=secret, purpose="dcat-catalog-cursor")


async def catalog_page(
    session: AsyncSession,
    *,
    context: PublicationContext,
    codec: SignedToken[CatalogCursor],
    cursor: str | None,
    size: int,
) -> CatalogPage:
    now = datetime.now(UTC)
    after = codec.loads(cursor).key if cursor else None
    rows = await repository.visible_page(session, today=now.date(), after_pk=after, limit=size + 1)
    more = len(rows) > size
    rows = rows[:size]
    total = await repository.count_visible(session, today=now.date())
    graph = Graph()
    bind_prefixes(graph)
    earliest = await repository.earliest_datestamp(session) or now
    latest = await repository.latest_datestamp(session, now=now) or earliest
    catalog = _catalog(graph, context, issued=earliest, modified=latest)
    service = service_iri(context)
    for row in rows:
        iri = add_record(graph, anonymous_read(row, context), context=context)
        graph.add((catalog, _member_property(row.type), iri))
        if row.type == "Dataset":
            graph.add((service, DCAT.servesDataset, iri))
    nxt = codec.dumps(CatalogCursor(key=rows[-1].pk)) if more and rows else None
    _paging(graph, context, total=total, size=size, cursor=cursor, nxt=nxt)
    return CatalogPage(graph, nxt)


async def dataset_graph(
    session: AsyncSession, local_id: str, *, context: PublicationContext
) -> Graph:
    """One visible record, with the catalogue it belongs to."""
    now = datetime.now(UTC)
    row = await repository.get_record(session, local_id)
    if row is None or not is_visible(row, now=now):
        raise NotFound(f"No published record {local_id!r}")
    graph = Graph()
    bind_prefixes(graph)
    iri = add_record(graph, anonymous_read(row, context), context=context)
    graph.add((URIRef(context.catalog_url), _member_property(row.type), iri))
    return graph


async def fdp_root_graph(session: AsyncSession, *, context: PublicationContext) -> Graph:
    """The FAIR Data Point root an FDP index harvests: a ``fdp:MetadataService``."""
    now = datetime.now(UTC)
    graph = Graph()
    bind_prefixes(graph)
    root = URIRef(f"{context.base_url}/fdp")
    graph.add((root, RDF.type, FDP.FAIRDataPoint))
    graph.add((root, RDF.type, FDP.MetadataService))
    graph.add((root, RDF.type, DCAT.DataService))
    graph.add((root, DCT.title, Literal(f"{context.node_name} FAIR Data Point", lang="en")))
    graph.add((root, DCT.description, Literal("CONVERGE metadata service of the Node", lang="en")))
    graph.add((root, DCT.publisher, add_node_agent(graph, context)))
    graph.add((root, DCAT.endpointURL, resource(graph, str(root))))
    graph.add((root, FDP.metadataCatalog, URIRef(context.catalog_url)))
    earliest = await repository.earliest_datestamp(session) or now
    latest = await repository.latest_datestamp(session, now=now) or earliest
    _fdp_metadata(graph, root, issued=earliest, modified=latest)
    return graph

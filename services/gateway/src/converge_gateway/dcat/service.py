"""The federation's DCAT catalogue: a ``dcat:Catalog`` whose entries are the Nodes' catalogues."""

from __future__ import annotations

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from converge_gateway.context import Gateway
from converge_gateway.negotiation import choose_media_type as negotiate

__all__ = ["MEDIA_TYPES", "choose_media_type", "federation_catalogue"]

MEDIA_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
_ALIASES = {"ttl": "text/turtle", "jsonld": "application/ld+json", "rdf": "application/rdf+xml"}
COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")
ALPHA3 = {"DE": "DEU", "FI": "FIN", "PT": "PRT", "NL": "NLD", "SE": "SWE", "FR": "FRA"}


def choose_media_type(*, format_param: str | None, accept: str | None) -> str | None:
    """Turtle unless the caller asks otherwise; ``None`` when nothing offered is acceptable."""
    if format_param:
        media = _ALIASES.get(format_param.lower(), format_param.lower())
        return media if media in MEDIA_TYPES else None
    return negotiate(accept, tuple(MEDIA_TYPES))


def federation_catalogue(gateway: Gateway, *, self_url: str, media_type: str) -> bytes:
    settings = gateway.settings
    graph = Graph()
    graph.bind("dcat", DCAT)
    graph.bind("dct", DCTERMS)
    graph.bind("foaf", FOAF)
    catalogue = URIRef(self_url)
    graph.add((catalogue, RDF.type, DCAT.Catalog))
    graph.add((catalogue, DCTERMS.title, Literal(settings.federation_name, lang="en")))
    graph.add(
        (
            catalogue,
            DCTERMS.description,
            Literal("The catalogues of every Node of the federation", lang="en"),
        )
    )
    publisher = URIRef("https://elixir-europe.org")
    graph.add((catalogue, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, Literal("ELIXIR")))
    for node in gateway.directory.nodes:
        if node.status != "accepted" or not node.metadata_url:
            continue
        child = URIRef(f"{node.metadata_url}/dcat/catalog")
        graph.add((catalogue, DCAT.catalog, child))
        graph.add((child, RDF.type, DCAT.Catalog))
        graph.add((child, DCTERMS.title, Literal(f"{node.name} catalogue", lang="en")))
        graph.add((child, DCTERMS.identifier, Literal(node.id)))
        graph.add((child, FOAF.homepage, URIRef(node.metadata_url)))
        if node.country and node.country.upper() in ALPHA3:
            graph.add((child, DCTERMS.spatial, COUNTRY[ALPHA3[node.country.upper()]]))
    data = graph.serialize(format=MEDIA_TYPES[media_type], encoding="utf-8")
    assert isinstance(data, bytes)
    return data

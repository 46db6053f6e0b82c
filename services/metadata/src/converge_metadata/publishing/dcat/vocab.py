"""RDF namespaces of DCAT-AP 3 and the FAIR Data Point ontology."""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

__all__ = [
    "ADMS",
    "DATACITE",
    "DCAT",
    "DCAT_RESOURCE",
    "DCAT_VERSION",
    "DCMITYPE",
    "DCT",
    "FDP",
    "FOAF",
    "HYDRA",
    "PREFIXES",
    "RDF",
    "RDFS",
    "SKOS",
    "SPDX",
    "VCARD",
    "XSD",
    "bind_prefixes",
]

DCT = DCTERMS
ADMS = Namespace("http://www.w3.org/ns/adms#")
DCMITYPE = Namespace("http://purl.org/dc/dcmitype/")
FDP = Namespace("https://w3id.org/fdp/fdp-o#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DATACITE = Namespace("http://purl.org/spar/datacite/")
# DCAT 3 terms missing from rdflib's closed DCAT namespace
DCAT_VERSION = URIRef("http://www.w3.org/ns/dcat#version")
DCAT_RESOURCE = URIRef("http://www.w3.org/ns/dcat#resource")

PREFIXES = {
    "dcat": DCAT,
    "dct": DCT,
    "foaf": FOAF,
    "skos": SKOS,
    "adms": ADMS,
    "dcmitype": DCMITYPE,
    "fdp": FDP,
    "hydra": HYDRA,
    "spdx": SPDX,
    "vcard": VCARD,
    "datacite": DATACITE,
}


def bind_prefixes(graph: Graph) -> None:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)

"""A fast Turtle writer for the graphs this service builds.

rdflib's Turtle serialiser spends most of a catalogue page's time on pretty-printing
(sorting, nesting, prefix search). These graphs have no blank nodes, so each subject is
written once with its predicate-object list; terms use the known prefixes when the local
name is plainly safe and full ``<IRI>`` / rdflib's own literal syntax otherwise.
"""

from __future__ import annotations

import re
from collections import defaultdict

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from converge_metadata.publishing.dcat.vocab import PREFIXES

__all__ = ["to_turtle"]

_SAFE_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_ALL_PREFIXES = {
    **{k: str(v) for k, v in PREFIXES.items()},
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
}
# longest namespace first, so that a namespace nested in another wins
_BY_LENGTH = sorted(_ALL_PREFIXES.items(), key=lambda item: -len(item[1]))


def _iri(value: URIRef, cache: dict[URIRef, str]) -> str:
    found = cache.get(value)
    if found is not None:
        return found
    text = str(value)
    result = value.n3()
    for prefix, namespace in _BY_LENGTH:
        if text.startswith(namespace) and _SAFE_LOCAL.match(text[len(namespace) :]):
            result = f"{prefix}:{text[len(namespace) :]}"
            break
    cache[value] = result
    return result


def _term(value: Node, cache: dict[URIRef, str]) -> str:
    if isinstance(value, URIRef):
        return _iri(value, cache)
    if isinstance(value, Literal):
        return value.n3()
    raise ValueError(f"unsupported term {value!r}")  # blank nodes are never built here


def to_turtle(graph: Graph) -> bytes:
    cache: dict[URIRef, str] = {RDF.type: "a"}
    subjects: dict[Node, list[tuple[str, str]]] = defaultdict(list)
    for subject, predicate, obj in graph:
        subjects[subject].append((_term(predicate, cache), _term(obj, cache)))
    out = [f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(_ALL_PREFIXES.items())]
    for subject in sorted(subjects, key=str):
        pairs = sorted(subjects[subject])
        body = " ;\n    ".join(f"{p} {o}" for p, o in pairs)
        out.append(f"\n{_term(subject, cache)} {body} .\n")
    return "".join(out).encode("utf-8")

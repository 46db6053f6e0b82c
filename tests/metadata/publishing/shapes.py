"""The two SHACL validators every DCAT serialisation must pass: DCAT-AP 3.0.0 and the FAIR Data
Point reference shapes, applied as the FDP applies them (a schema with the schemas it extends).

The one property the two contradict each other on is a distribution's ``dcat:mediaType``:
DCAT-AP wants exactly an IRI of class ``dct:MediaType`` (the IANA register), the FDP's shape a
literal, at least one. The Node follows DCAT-AP there; :data:`FDP_DEVIATION` is that property
and nothing else is tolerated."""

from __future__ import annotations

from functools import cache

from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, RDF, SH

from tests.metadata.publishing.conftest import CONFORMANCE

__all__ = ["FDP_DEVIATION", "conforms", "fdp_violations", "resources"]

FDP_DEVIATION = DCAT.mediaType


@cache
def dcat_ap_shapes() -> Graph:
    return Graph().parse(CONFORMANCE / "dcat-ap" / "3.0.0" / "shacl" / "dcat-ap-SHACL.ttl")


@cache
def fdp_shapes() -> Graph:
    graph = Graph()
    for path in sorted((CONFORMANCE / "fdp" / "shapes").glob("*.ttl")):
        graph.parse(path)
    return graph


@cache
def fdp_extends() -> Graph:
    return Graph().parse(CONFORMANCE / "fdp" / "extends.ttl")


def fdp_violations(graph: Graph) -> list[tuple[str, str, str]]:
    """(focus node, path, message) of every FDP shape violation but the known deviation."""
    _, results, _ = validate(
        graph, shacl_graph=fdp_shapes(), ont_graph=fdp_extends(), inference="none"
    )
    assert isinstance(results, Graph)
    found = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        if path == FDP_DEVIATION and (focus, RDF.type, DCAT.Distribution) in graph:
            continue
        message = results.value(result, SH.resultMessage)
        found.append((str(focus), str(path), str(message)))
    return sorted(found)


def conforms(graph: Graph) -> None:
    ok, _, report = validate(
        graph, shacl_graph=dcat_ap_shapes(), inference="none", allow_warnings=True
    )
    assert ok, report
    assert fdp_violations(graph) == []


def resources(graph: Graph, cls: URIRef) -> set[str]:
    """The local ids of the records of class ``cls`` in ``graph``."""
    return {str(s).rsplit("/", 1)[-1] for s in graph.subjects(RDF.type, cls) if "#" not in s}

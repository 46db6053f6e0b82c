"""The two SHACL validators every DCAT serialisation must pass: DCAT-AP 3.0.0 and the FAIR Data
Point reference shapes, applied as the FDP applies them (a schema with the schemas it extends).

The two contradict each other on exactly one property, a distribution's ``dcat:mediaType``:
DCAT-AP wants at most one IRI of class ``dct:MediaType`` (the IANA register), the FDP's shape
exactly one literal. No graph passes both, so the Node serves two profiles
(``converge_metadata.publishing.dcat.profiles``): :func:`conforms` checks a graph against its
profile's shapes with zero violations, and against the other profile's shapes with no violation
but that one property."""

from __future__ import annotations

from functools import cache

from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, RDF, SH

from tests.metadata.publishing.conftest import CONFORMANCE

__all__ = ["CONFLICT", "conforms", "dcat_ap_violations", "fdp_violations", "resources"]

CONFLICT = DCAT.mediaType
Violation = tuple[str, str, str]


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


def _violations(results: object) -> list[Violation]:
    assert isinstance(results, Graph)
    found = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        if results.value(result, SH.resultSeverity) != SH.Violation:
            continue  # DCAT-AP's recommendations are warnings
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        message = results.value(result, SH.resultMessage)
        found.append((str(focus), str(path), str(message)))
    return sorted(found)


def dcat_ap_violations(graph: Graph) -> list[Violation]:
    _, results, _ = validate(graph, shacl_graph=dcat_ap_shapes(), inference="none")
    return _violations(results)


def fdp_violations(graph: Graph) -> list[Violation]:
    _, results, _ = validate(
        graph, shacl_graph=fdp_shapes(), ont_graph=fdp_extends(), inference="none"
    )
    return _violations(results)


def _beyond_the_conflict(graph: Graph, violations: list[Violation]) -> list[Violation]:
    distributions = {str(d) for d in graph.subjects(RDF.type, DCAT.Distribution)}
    return [v for v in violations if not (v[1] == str(CONFLICT) and v[0] in distributions)]


def conforms(graph: Graph, profile: str = "dcat-ap") -> None:
    """Zero violations of ``profile``'s shapes; of the other's, none but the conflict."""
    dcat_ap, fdp = dcat_ap_violations(graph), fdp_violations(graph)
    if profile == "dcat-ap":
        assert dcat_ap == []
        assert _beyond_the_conflict(graph, fdp) == []
    else:
        assert fdp == []
        assert _beyond_the_conflict(graph, dcat_ap) == []


def resources(graph: Graph, cls: URIRef) -> set[str]:
    """The local ids of the records of class ``cls`` in ``graph``."""
    return {str(s).rsplit("/", 1)[-1] for s in graph.subjects(RDF.type, cls) if "#" not in s}

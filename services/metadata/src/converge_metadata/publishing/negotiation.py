"""Content negotiation of RDF serialisations: ``?format=`` first, then ``Accept``."""

from __future__ import annotations

from converge_common.errors import ProblemError
from rdflib import Graph

from converge_metadata.publishing.turtle import to_turtle

__all__ = ["RDF_MEDIA_TYPES", "NotAcceptable", "choose_rdf", "serialise", "weighted_values"]

# media type -> rdflib format name
RDF_MEDIA_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
_FORMAT_ALIASES = {
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "xml": "application/rdf+xml",
    "rdfxml": "application/rdf+xml",
}


class NotAcceptable(ProblemError):
    status, title, slug = 406, "Not Acceptable", "not-acceptable"


def weighted_values(header: str) -> list[tuple[float, str]]:
    """The values of an ``Accept``-style header (``Accept``, ``Accept-Profile``) with their
    ``q``, best first, as written (a media type's case is the caller's to fold)."""
    ranges = []
    for part in header.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        if media:
            ranges.append((quality, media))
    return sorted(ranges, key=lambda r: -r[0])


def choose_rdf(*, format_param: str | None, accept: str | None) -> str:
    """The RDF media type to answer with; Turtle when the client does not mind."""
    if format_param:
        media = _FORMAT_ALIASES.get(format_param.lower(), format_param.lower())
        if media not in RDF_MEDIA_TYPES:
            raise NotAcceptable(f"format must be one of {', '.join(sorted(_FORMAT_ALIASES))}")
        return media
    if not accept:
        return "text/turtle"
    for quality, written in weighted_values(accept):
        media = written.lower()
        if quality <= 0:
            continue
        if media in RDF_MEDIA_TYPES:
            return media
        if media in ("*/*", "text/*", "application/*"):
            return "text/turtle" if media != "application/*" else "application/ld+json"
    raise NotAcceptable("Available: " + ", ".join(RDF_MEDIA_TYPES))


def serialise(graph: Graph, media_type: str) -> bytes:
    if media_type == "text/turtle":
        return to_turtle(graph)
    data = graph.serialize(format=RDF_MEDIA_TYPES[media_type], encoding="utf-8")
    assert isinstance(data, bytes)
    return data

"""The two profiles the Node's DCAT graphs are served in, chosen as W3C *Content Negotiation by
Profile* describes (``Accept-Profile``, or the ``_profile`` query parameter) and said in the
answer (``Content-Profile`` and ``Link: <…>; rel="profile"``).

DCAT-AP 3.0.0 and the FAIR Data Point reference shapes contradict each other on exactly one
property, a distribution's ``dcat:mediaType``: DCAT-AP wants at most one IRI of class
``dct:MediaType`` (the IANA register), the FDP exactly one literal. The graph is built once,
in DCAT-AP; :func:`apply` turns it into the FDP profile by rewriting that property and nothing
else.
"""

from __future__ import annotations

from dataclasses import dataclass

from converge_common.errors import FieldError
from rdflib import Graph, Literal, URIRef

from converge_metadata.publishing.dcat.vocab import DCAT, DCT, RDF
from converge_metadata.publishing.negotiation import NotAcceptable, weighted_values

__all__ = [
    "DCAT_AP",
    "FDP",
    "MEDIA_TYPE_IRI",
    "PROFILES",
    "UNKNOWN_MEDIA_TYPE",
    "Profile",
    "apply",
    "choose_profile",
    "headers",
]

MEDIA_TYPE_IRI = "https://www.iana.org/assignments/media-types/"
# RFC 2046: "arbitrary binary data", what a file of unstated type is; the FDP shape needs one
UNKNOWN_MEDIA_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class Profile:
    token: str
    uri: str
    title: str


DCAT_AP = Profile("dcat-ap", "https://semiceu.github.io/DCAT-AP/releases/3.0.0/", "DCAT-AP 3.0.0")
FDP = Profile("fdp", "https://w3id.org/fdp/fdp-o", "FAIR Data Point reference shapes")
PROFILES = (DCAT_AP, FDP)


def _find(value: str) -> Profile | None:
    wanted = value.strip().removeprefix("<").removesuffix(">").strip()
    for profile in PROFILES:
        if wanted in (profile.token, profile.uri):
            return profile
    return None


def _unavailable(field: str, asked: str) -> NotAcceptable:
    available = ", ".join(f"{p.token} (<{p.uri}>)" for p in PROFILES)
    message = f"no profile of {asked!r} is available; available: {available}"
    return NotAcceptable(message, errors=[FieldError(field, "profile", message)])


def choose_profile(
    *, profile_param: str | None, accept_profile: str | None, default: Profile
) -> Profile:
    """``_profile`` (a token or URI) first, then ``Accept-Profile``'s best available URI; the
    endpoint's default when neither is given; 406 when every profile asked for is unknown."""
    if profile_param:
        found = _find(profile_param)
        if found is None:
            raise _unavailable("/_profile", profile_param)
        return found
    if not accept_profile or not accept_profile.strip():
        return default
    for quality, value in weighted_values(accept_profile):
        found = _find(value)
        if quality > 0 and found is not None:
            return found
    raise _unavailable("/Accept-Profile", accept_profile)


def headers(profile: Profile) -> dict[str, str]:
    return {
        "Content-Profile": f"<{profile.uri}>",
        "Link": f'<{profile.uri}>; rel="profile"',
        "Vary": "Accept, Accept-Profile",
    }


def apply(graph: Graph, profile: Profile) -> Graph:
    """``graph`` (built in DCAT-AP) in ``profile``: for the FDP, each distribution's media type
    as one literal (``application/octet-stream`` where none is known)."""
    if profile is DCAT_AP:
        return graph
    for distribution in set(graph.subjects(RDF.type, DCAT.Distribution)):
        media = [o for o in graph.objects(distribution, DCAT.mediaType) if isinstance(o, URIRef)]
        graph.remove((distribution, DCAT.mediaType, None))
        names = [str(m).removeprefix(MEDIA_TYPE_IRI) for m in media]
        graph.add(
            (distribution, DCAT.mediaType, Literal(names[0] if names else UNKNOWN_MEDIA_TYPE))
        )
    for node in set(graph.subjects(RDF.type, DCT.MediaType)):
        if (None, None, node) not in graph:
            graph.remove((node, None, None))
    return graph

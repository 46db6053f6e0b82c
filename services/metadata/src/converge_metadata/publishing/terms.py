"""Small mappings shared by the serialisers: texts, IRIs of licences and terms, resource types."""

from __future__ import annotations

import re
from urllib.parse import quote

from converge_metadata.records.schemas import RecordBase, Term

__all__ = [
    "DCMI_TYPES",
    "access_rights_iri",
    "best_text",
    "doi_url",
    "licence_url",
    "mailto_iri",
    "pid",
    "term_iri",
    "term_label",
]

DCMI_TYPES = {
    "Dataset": "Dataset",
    "Software": "Software",
    "TrainingMaterial": "Text",
    "CourseInstance": "Event",
}
_ACCESS_RIGHTS = "http://publications.europa.eu/resource/authority/access-right/"
_SHORT_DUO = re.compile(r"^(?:obo:)?DUO[:_](\d{7})$")
_SHORT_TAXON = re.compile(r"^(?:NCBITaxon:)?(\d+)$")


def best_text(texts: dict[str, str], *, prefer: str = "en") -> str:
    """English when given, else the first language's text, else empty."""
    if prefer in texts:
        return texts[prefer]
    return next(iter(texts.values()), "")


def doi_url(doi: str) -> str:
    """The resolver URL of a DOI. A DOI suffix may hold any printable character (older ones
    hold ``<``, ``>``, ``#`` or ``"``): the DOI Handbook's URL encoding makes it an IRI."""
    return "https://doi.org/" + quote(doi, safe="/:;()!$&'*+,=@")


def mailto_iri(email: str) -> str:
    """A ``mailto:`` IRI (RFC 6068): characters an address may hold but an IRI may not
    (``{``, ``|``, ``}``, ``^``, `````, ``%``, ...) are percent-encoded."""
    return "mailto:" + quote(email, safe="@!$&'()*+,;=")


def licence_url(spdx_id: str) -> str:
    if spdx_id.startswith(("http://", "https://")):
        return spdx_id
    return f"https://spdx.org/licenses/{spdx_id}"


def term_iri(term: Term) -> str:
    """The term's IRI; stored terms are normalised already, short forms are expanded anyway."""
    uri = term.uri
    if uri.startswith(("http://", "https://")):
        return uri
    if match := _SHORT_DUO.match(uri):
        return f"http://purl.obolibrary.org/obo/DUO_{match.group(1)}"
    if match := _SHORT_TAXON.match(uri):
        return f"http://purl.obolibrary.org/obo/NCBITaxon_{match.group(1)}"
    edam = uri.removeprefix("EDAM:")
    return f"http://edamontology.org/{edam}"


def term_label(term: Term) -> str:
    return term.label or term_iri(term).rsplit("/", 1)[-1]


def access_rights_iri(level: str) -> str:
    """EU access-right authority: controlled data are RESTRICTED; an ended embargo is PUBLIC."""
    return _ACCESS_RIGHTS + ("RESTRICTED" if level == "controlled" else "PUBLIC")


def pid(record: RecordBase) -> tuple[str, str] | None:
    """The record's persistent identifier (scheme, value): DOI, then handle, then ARK."""
    for scheme in ("doi", "handle", "ark"):
        for identifier in record.identifiers:
            if identifier.scheme == scheme:
                return scheme, identifier.value
    return None

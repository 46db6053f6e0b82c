"""The response envelope of the federation's OAI-PMH repository (the request grammar is
converge_common.oai, shared with every Node's repository)."""

from __future__ import annotations

from datetime import UTC, datetime

from converge_common.oai import OAIError, OAIRequest, parse_request
from lxml import etree

__all__ = [
    "NS",
    "OAI",
    "OAIError",
    "OAIRequest",
    "envelope",
    "error_document",
    "parse_request",
    "serialise",
]

OAI = "http://www.openarchives.org/OAI/2.0/"
NS = {"oai": OAI}
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _root(base_url: str, arguments: dict[str, str] | None) -> etree._Element:
    root = etree.Element(f"{{{OAI}}}OAI-PMH", nsmap={None: OAI, "xsi": XSI})  # type: ignore[dict-item]
    root.set(
        f"{{{XSI}}}schemaLocation",
        f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd",
    )
    etree.SubElement(root, f"{{{OAI}}}responseDate").text = _now()
    request = etree.SubElement(root, f"{{{OAI}}}request")
    request.text = base_url
    for key, value in (arguments or {}).items():
        request.set(key, value)
    return root


def envelope(base_url: str, request: OAIRequest, body: etree._Element) -> etree._Element:
    root = _root(base_url, {"verb": request.verb, **request.arguments})
    root.append(body)
    return root


def error_document(
    base_url: str, request: OAIRequest | None, error: OAIError, verb: str | None = None
) -> etree._Element:
    arguments = None
    if request is not None and error.echoes_arguments:
        arguments = {"verb": request.verb, **request.arguments}
    root = _root(base_url, arguments)
    element = etree.SubElement(root, f"{{{OAI}}}error", code=error.code)
    element.text = error.message
    return root


def serialise(root: etree._Element) -> bytes:
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data

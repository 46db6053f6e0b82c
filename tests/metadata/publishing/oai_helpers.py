"""Reading OAI-PMH responses in tests."""

from __future__ import annotations

from lxml import etree

NS = {
    "oai": "http://www.openarchives.org/OAI/2.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dcite": "http://datacite.org/schema/kernel-4",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}
REPO = "oai:converge.de.elixir-europe.org:de:"


def parse_valid(content: bytes, schema: etree.XMLSchema) -> etree._Element:
    doc = etree.fromstring(content)
    assert schema.validate(doc), schema.error_log
    return doc


def error_code(doc: etree._Element) -> str | None:
    errors = doc.xpath("/oai:OAI-PMH/oai:error/@code", namespaces=NS)
    return str(errors[0]) if errors else None


def identifiers(doc: etree._Element) -> list[str]:
    return [str(i) for i in doc.xpath("//oai:header/oai:identifier/text()", namespaces=NS)]


def token(doc: etree._Element) -> etree._Element | None:
    found = doc.xpath("//oai:resumptionToken", namespaces=NS)
    return found[0] if found else None

"""Parsing XML that another service sent: data, never instructions, and never too deep.

No DTD (so no entity of any kind), no network, no huge-tree mode (libxml2's own limits on
text size and depth stay on), and a depth bound of our own well below libxml2's.
"""

from __future__ import annotations

from lxml import etree

__all__ = ["MAX_DEPTH", "UnsafeXML", "parse_xml"]

MAX_DEPTH = 64

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    huge_tree=False,
    load_dtd=False,
    dtd_validation=False,
    remove_comments=True,
    remove_pis=True,
)


class UnsafeXML(ValueError):
    """Not well-formed XML, or XML the gateway does not take (a DTD, too deep)."""


def parse_xml(content: bytes, *, max_depth: int = MAX_DEPTH) -> etree._Element:
    try:
        root = etree.fromstring(content, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise UnsafeXML(f"not well-formed XML ({exc.msg})") from exc
    if getattr(root.getroottree().docinfo, "doctype", ""):
        raise UnsafeXML("XML with a document type declaration")
    depth = 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth > max_depth:
            raise UnsafeXML(f"XML nested deeper than {max_depth} elements")
    return root

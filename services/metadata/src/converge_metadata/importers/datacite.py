"""DataCite Metadata Schema 4.x XML -> Dataset records (Software for software, notebooks and
workflows).

``resource`` elements are read one at a time with ``lxml.etree.iterparse``; once read, a resource
and everything that ended before it are freed, and at most ``MAX_RESOURCE_BYTES`` are read
between the ends of two resources, so a file holding many (an OAI-PMH ``oai_datacite`` dump, a
``<resources>`` wrapper), or holding anything else, is read in bounded memory. libxml2 refuses
documents nested deeper than 256 elements (``huge_tree`` stays off) and resolves no entities; a
resource whose elements nest deeper than the import's depth limit (counted from the document's
root) is rejected on its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import IO, Any

from converge_common.errors import FieldError
from lxml import etree

from converge_metadata.importers.common import (
    MappingContext,
    SourceItem,
    doi_or_none,
    local_id_for,
    rights_statement,
)
from converge_metadata.importers.datacite_fields import (
    XML_LANG,
    agents,
    children,
    dates,
    descriptions,
    funding,
    publications,
    text,
    titles,
)

__all__ = ["MAX_RESOURCE_BYTES", "parse_datacite"]

_SOFTWARE = {"Software", "ComputationalNotebook", "Workflow"}
_KERNEL = "{http://datacite.org/schema/kernel-"
# XML read between the ends of two resources: a resource with thousands of creators is about
# 1 MB, and a tree of empty elements takes about 40 times its text
MAX_RESOURCE_BYTES = 4 * 1024 * 1024


def parse_datacite(stream: IO[bytes], name: str, ctx: MappingContext) -> Iterator[SourceItem]:
    index = 0
    reader = _BoundedReader(stream, MAX_RESOURCE_BYTES)
    events = etree.iterparse(
        reader,
        events=("end",),
        tag="{*}resource",
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
    )
    try:
        for _event, element in events:
            if not str(element.tag).startswith(_KERNEL):
                continue
            position = f"{name}#{index}" if index else name
            if _nests_deeper(element, ctx.max_depth):
                detail = f"elements nest deeper than {ctx.max_depth} levels; not read"
                yield SourceItem.failed(position, "", "max_depth", detail)
            else:
                yield map_resource(element, position, ctx)
            index += 1
            _free(element)
            reader.since_resource = 0
    except _TooMuchBetweenResources as exc:
        position = f"{name}#{index}" if index else name
        yield SourceItem.failed(position, "", "max_bytes", f"not read from here on: {exc}")
        return
    except etree.XMLSyntaxError as exc:
        rule = "max_depth" if "Excessive depth" in str(exc) else "xml"
        yield SourceItem.failed(name, "", rule, f"not well-formed XML: {exc}")
        return
    if index == 0:
        yield SourceItem.failed(
            name, "/resource", "required", "no DataCite kernel-4 <resource> element"
        )


class _TooMuchBetweenResources(ValueError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit} bytes without the end of a resource")


class _BoundedReader:
    """Lets the parser read at most ``limit`` bytes between the ends of two resources (or
    before the first): the tree it builds meanwhile is bounded, whatever the document holds."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self._stream = stream
        self._limit = limit
        self.since_resource = 0

    def read(self, size: int = -1) -> bytes:
        if self.since_resource > self._limit:
            raise _TooMuchBetweenResources(self._limit)
        chunk = self._stream.read(size)
        self.since_resource += len(chunk)
        return chunk


def _free(resource: Any) -> None:
    """Empty a read resource and drop what has ended before it at every level up to the root
    (an OAI-PMH ``record``'s header, earlier records), so the tree holds only the open path."""
    resource.clear(keep_tail=False)
    node = resource
    while (parent := node.getparent()) is not None:
        while node.getprevious() is not None:
            del parent[0]
        node = parent


def _nests_deeper(element: Any, limit: int) -> bool:
    """Whether any element of ``element``'s subtree lies deeper than ``limit`` in the document
    (one compiled XPath step per level, evaluated in libxml2)."""
    room = limit - 1 - sum(1 for _ in element.iterancestors())
    return room < 0 or bool(_levels_below(room + 1)(element))


@cache
def _levels_below(levels: int) -> Any:
    """An XPath true when an element lies ``levels`` levels below the context element."""
    return etree.XPath("boolean(" + "/".join(["*"] * levels) + ")")


def map_resource(resource: Any, position: str, ctx: MappingContext) -> SourceItem:
    identifier = next(children(resource, "identifier"), None)
    raw_doi = text(identifier) if identifier is not None else None
    doi = doi_or_none(raw_doi) if raw_doi else None
    item = SourceItem(position, doi or raw_doi)
    if doi is None:
        item.errors.append(_error("/identifier", "doi", "a DataCite record needs its DOI"))
        return item
    default_lang = _language(resource) or "en"
    title = titles(resource, default_lang)
    if not title:
        item.errors.append(_error("/titles", "required", "a DataCite record needs a title"))
        return item
    general = _resource_type(resource)
    kind = "Software" if general in _SOFTWARE else "Dataset"
    if general not in _SOFTWARE | {"Dataset", None}:
        item.warnings.append(f"resourceTypeGeneral {general} imported as a Dataset")
    subject_topics: list[str] = []
    record: dict[str, Any] = {
        "id": local_id_for("doi", doi),
        "type": kind,
        "status": ctx.status,
        "title": title,
        "description": descriptions(resource, default_lang),
        "identifiers": [{"scheme": "doi", "value": doi}, *_alternates(resource)],
        "keywords": _subjects(resource, subject_topics),
        "landing_page": f"https://doi.org/{doi}",
        "creators": agents(resource, "creators", "creator", item),
        "contributors": agents(resource, "contributors", "contributor", item),
        "publications": publications(resource),
        "funding": funding(resource),
    }
    record["topics"] = [u for v in subject_topics if (u := ctx.edam(v, "topic"))]
    record.update(dates(resource, item))
    _publisher(resource, record)
    _rights(resource, record, item, ctx)
    if language := _language(resource):
        record["languages"] = [language]
    version = next((text(v) for v in children(resource, "version")), None)
    record["software" if kind == "Software" else "dataset"] = (
        {"software_version": version} if kind == "Software" and version else {}
    )
    item.record = record
    return item


def _error(pointer: str, rule: str, detail: str) -> FieldError:
    return FieldError(pointer, rule, detail)


def _language(resource: Any) -> str | None:
    value = next((text(v) for v in children(resource, "language")), None)
    return value if value and 2 <= len(value.split("-")[0]) <= 3 else None


def _resource_type(resource: Any) -> str | None:
    element = next(children(resource, "resourceType"), None)
    return element.get("resourceTypeGeneral") if element is not None else None


def _alternates(resource: Any) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for element in children(resource, "alternateIdentifiers", "alternateIdentifier"):
        value = text(element)
        kind = (element.get("alternateIdentifierType") or "").lower()
        if not value:
            continue
        if kind == "url" and value.startswith(("http://", "https://")):
            out.append({"scheme": "url", "value": value})
        elif kind in ("handle", "ark"):
            out.append({"scheme": kind, "value": value})
        else:
            out.append({"scheme": "accession", "value": value})
    return out


def _subjects(resource: Any, topics: list[str]) -> list[str]:
    words: list[str] = []
    for element in children(resource, "subjects", "subject"):
        value_uri = element.get("valueURI") or ""
        if "edamontology.org/" in value_uri:
            topics.append(value_uri)
        if value := text(element):
            words.append(value[:200])
    return list(dict.fromkeys(words))


def _publisher(resource: Any, record: dict[str, Any]) -> None:
    element = next(children(resource, "publisher"), None)
    if element is None or not (name := text(element)):
        return
    publisher: dict[str, Any] = {"name": name}
    ident = element.get("publisherIdentifier") or ""
    if (element.get("publisherIdentifierScheme") or "").upper() == "ROR" and ident.startswith(
        "https://ror.org/"
    ):
        publisher["ror"] = ident
    record["publisher"] = publisher


def _rights(resource: Any, record: dict[str, Any], item: SourceItem, ctx: MappingContext) -> None:
    """The first ``rights`` naming an SPDX licence (``rightsIdentifier`` or ``rightsURI``) is
    the licence; every other one is kept as a rights statement with its text, URI and language."""
    for element in children(resource, "rightsList", "rights"):
        uri = element.get("rightsURI")
        if "license" not in record:
            candidates = [element.get("rightsIdentifier"), uri]
            found = next((f for c in candidates if c and (f := ctx.spdx(c)) is not None), None)
            if found is not None:
                record["license"] = found
                continue
        words = text(element)
        if statement := rights_statement(text=words, uri=uri, language=element.get(XML_LANG)):
            record.setdefault("rights", []).append(statement)
    if record.get("rights") and "license" not in record:
        shown = record["rights"][0].get("text") or record["rights"][0].get("uri")
        item.warnings.append(f"rights {shown!r} name no SPDX licence; kept as rights statements")

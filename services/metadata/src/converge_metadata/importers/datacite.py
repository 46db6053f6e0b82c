"""DataCite Metadata Schema 4.x XML -> Dataset records (Software for software, notebooks and
workflows).

``resource`` elements are read one at a time with ``lxml.etree.iterparse``; every element is
freed once it has been read or once it ends outside a resource, so a file holding many (an
OAI-PMH ``oai_datacite`` dump, a ``<resources>`` wrapper), or holding anything else, is read in
the memory of one resource. libxml2 refuses documents nested deeper than 256 elements
(``huge_tree`` stays off) and resolves no entities; a resource whose elements nest deeper than
the import's depth limit (counted from the document's root) is rejected on its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from converge_common.errors import FieldError
from lxml import etree

from converge_metadata.importers.common import (
    MappingContext,
    SourceItem,
    doi_or_none,
    local_id_for,
    spdx_from_url,
)
from converge_metadata.importers.datacite_fields import (
    agents,
    children,
    dates,
    descriptions,
    funding,
    publications,
    text,
    titles,
)

__all__ = ["MAX_RESOURCE_ELEMENTS", "parse_datacite"]

_SOFTWARE = {"Software", "ComputationalNotebook", "Workflow"}
_KERNEL = "{http://datacite.org/schema/kernel-"
# a resource with more elements is refused (thousands of creators is about 20,000)
MAX_RESOURCE_ELEMENTS = 100_000


def parse_datacite(stream: IO[bytes], name: str, ctx: MappingContext) -> Iterator[SourceItem]:
    index = 0
    try:
        for element, problem in _resources(stream, ctx.max_depth):
            position = f"{name}#{index}" if index else name
            index += 1
            if problem is not None:
                yield SourceItem.failed(position, "", *problem)
            else:
                yield map_resource(element, position, ctx)
    except _DocumentTooDeep as exc:
        yield SourceItem.failed(name, "", "max_depth", f"not read: {exc}")
        return
    except etree.XMLSyntaxError as exc:
        rule = "max_depth" if "Excessive depth" in str(exc) else "xml"
        yield SourceItem.failed(name, "", rule, f"not well-formed XML: {exc}")
        return
    if index == 0:
        yield SourceItem.failed(
            name, "/resource", "required", "no DataCite kernel-4 <resource> element"
        )


class _DocumentTooDeep(ValueError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"elements outside any resource nest deeper than {limit} levels")


def _resources(stream: IO[bytes], limit: int) -> Iterator[tuple[Any, tuple[str, str] | None]]:
    """Each outermost DataCite ``resource`` when it ends, with ``(rule, detail)`` when it is
    not to be read. Whatever lies outside resources, and the content of a refused resource, is
    freed as soon as it ends, and each resource after it is read: memory holds one resource
    (of at most ``MAX_RESOURCE_ELEMENTS`` elements) however wide or long the document."""
    depth = top = count = 0  # ``top``: depth of the resource being read, 0 outside one
    problem: tuple[str, str] | None = None
    events = etree.iterparse(
        stream,
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
    )
    for event, element in events:
        if event == "start":
            depth += 1
            if top:
                count += 1
                if problem is None and depth > limit:
                    problem = ("max_depth", f"elements nest deeper than {limit} levels; not read")
                elif problem is None and count > MAX_RESOURCE_ELEMENTS:
                    problem = ("max_elements", f"more than {MAX_RESOURCE_ELEMENTS} elements")
            elif _is_resource(element.tag):
                top, count = depth, 0
                too_deep = depth > limit
                problem = ("max_depth", f"lies deeper than {limit} levels") if too_deep else None
            elif depth > limit:
                raise _DocumentTooDeep(limit)
            continue
        depth -= 1
        if top and depth + 1 == top:
            yield element, problem
            top, problem = 0, None
            _free(element)
        elif not top or problem is not None:
            _free(element)


def _is_resource(tag: Any) -> bool:
    return isinstance(tag, str) and tag.startswith(_KERNEL) and tag.endswith("}resource")


def _free(element: Any) -> None:
    """Drop a finished element's content and its finished elder siblings, or a long file's
    tree keeps every empty shell."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    while parent is not None and element.getprevious() is not None:
        del parent[0]


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
    seen: list[str] = []
    for element in children(resource, "rightsList", "rights"):
        candidates = [element.get("rightsIdentifier"), element.get("rightsURI")]
        for candidate in candidates:
            if candidate and (found := spdx_from_url(candidate, ctx.spdx)):
                record["license"] = found
                return
        seen.append(text(element) or element.get("rightsURI") or "")
    if any(seen):
        item.warnings.append(f"rights {seen[0]!r} name no SPDX licence; left out")

"""Element mappings of the DataCite importer: titles, descriptions, people, dates, relations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from converge_metadata.importers.common import SourceItem, clean_orcid, doi_or_none

__all__ = [
    "XML_LANG",
    "agents",
    "children",
    "dates",
    "descriptions",
    "funding",
    "publications",
    "text",
    "titles",
]

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:$|[T/ ])")
# relations that make the related item a publication about this resource
_PUBLICATION_RELATIONS = {"IsCitedBy", "IsSupplementTo", "IsDescribedBy", "IsReferencedBy"}
_DESCRIPTION_ORDER = {"Abstract": 0, "Methods": 1, "TechnicalInfo": 2, "Other": 3}


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1]


def children(element: Any, *path: str) -> Iterator[Any]:
    """Descendants along ``path`` of local names (namespace-agnostic: kernel-4.0 ... 4.6)."""
    if not path:
        yield element
        return
    for child in element:
        if isinstance(child.tag, str) and _local(child.tag) == path[0]:
            yield from children(child, *path[1:])


def text(element: Any) -> str | None:
    value = "".join(element.itertext()).strip() if element is not None else ""
    return value or None


def _lang(element: Any, default: str) -> str:
    value = element.get(XML_LANG) or default
    return value if _LANG.match(value) else default


def titles(resource: Any, default_lang: str) -> dict[str, str]:
    """Main titles and translated titles, the first per language."""
    out: dict[str, str] = {}
    for element in children(resource, "titles", "title"):
        if element.get("titleType") not in (None, "TranslatedTitle"):
            continue
        if value := text(element):
            out.setdefault(_lang(element, default_lang), value)
    return out


def descriptions(resource: Any, default_lang: str) -> dict[str, str]:
    """Abstracts first, then methods and other notes, joined per language."""
    found: dict[str, list[tuple[int, str]]] = {}
    for element in children(resource, "descriptions", "description"):
        rank = _DESCRIPTION_ORDER.get(element.get("descriptionType") or "Other")
        if rank is None or not (value := text(element)):
            continue
        found.setdefault(_lang(element, default_lang), []).append((rank, value))
    return {
        lang: "\n\n".join(v for _, v in sorted(parts, key=lambda p: p[0]))
        for lang, parts in found.items()
    }


def agents(resource: Any, group: str, tag: str, item: SourceItem) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for element in children(resource, group, tag):
        name = text(next(children(element, f"{tag}Name"), None))
        if not name:
            continue
        name_type = next(children(element, f"{tag}Name")).get("nameType")
        agent: dict[str, Any] = {
            "type": "Organization" if name_type == "Organizational" else "Person",
            "name": name,
        }
        for ident in children(element, "nameIdentifier"):
            if (ident.get("nameIdentifierScheme") or "").upper() != "ORCID":
                continue
            if (orcid := clean_orcid(text(ident))) is not None:
                agent["orcid"] = orcid
            else:
                item.warnings.append(f"left out the invalid ORCID iD {text(ident)!r}")
        affiliation = text(next(children(element, "affiliation"), None))
        if affiliation and agent["type"] == "Person":
            agent["affiliation"] = affiliation
        if tag == "contributor" and element.get("contributorType"):
            agent["role"] = element.get("contributorType")
        out.append(agent)
    return out


def _date(value: str | None) -> date | None:
    match = _DATE.match((value or "").strip())
    if match is None:
        return None
    year, month, day = (int(g) if g else 1 for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def dates(resource: Any, item: SourceItem) -> dict[str, str]:
    """``issued`` from the Issued date, else the publication year; ``modified`` from Updated."""
    out: dict[str, str] = {}
    for element in children(resource, "dates", "date"):
        target = {"Issued": "issued", "Updated": "modified"}.get(element.get("dateType") or "")
        if target is None or target in out:
            continue
        if (when := _date(text(element))) is not None:
            out[target] = when.isoformat()
        else:
            item.warnings.append(f"{element.get('dateType')} date {text(element)!r} not read")
    if "issued" not in out:
        year = text(next(children(resource, "publicationYear"), None))
        if (when := _date(year)) is not None:
            out["issued"] = when.isoformat()
    return out


def publications(resource: Any) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for element in children(resource, "relatedIdentifiers", "relatedIdentifier"):
        if element.get("relationType") not in _PUBLICATION_RELATIONS:
            continue
        kind, value = (element.get("relatedIdentifierType") or "").upper(), text(element) or ""
        entry: dict[str, str] | None = None
        if kind == "DOI" and (doi := doi_or_none(value)):
            entry = {"doi": doi}
        elif kind == "PMID" and value.isdigit() and len(value) <= 9:
            entry = {"pmid": value}
        if entry is not None and entry not in out:
            out.append(entry)
    return out


def funding(resource: Any) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for element in children(resource, "fundingReferences", "fundingReference"):
        funder = text(next(children(element, "funderName"), None))
        if not funder:
            continue
        entry = {"funder": funder}
        funder_id = text(next(children(element, "funderIdentifier"), None)) or ""
        if funder_id.startswith(("http://", "https://")):
            entry["funder_id"] = funder_id
        if award := text(next(children(element, "awardNumber"), None)):
            entry["award_number"] = award
        if title := text(next(children(element, "awardTitle"), None)):
            entry["award_title"] = title
        out.append(entry)
    return out

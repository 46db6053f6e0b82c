"""Field mappings of the Bioschemas importer: identifiers, people, licences, annotations and
the type-specific parts."""

from __future__ import annotations

import re
from typing import Any

from converge_common.errors import FieldError

from converge_metadata.importers.common import (
    MappingContext,
    SourceItem,
    as_list,
    clean_orcid,
    doi_or_none,
    local_id_for,
    rights_statement,
)
from converge_metadata.importers.jsonld import first_text, node_types, parse_date

__all__ = [
    "common",
    "course_part",
    "dataset_part",
    "error",
    "local_id",
    "node_key",
    "primary_identifier",
    "software_part",
    "training_part",
]

_BIOTOOLS = re.compile(r"^(?:https?://bio\.tools/|biotools:)([A-Za-z0-9_.~-]+)/?$")
_TAXON = re.compile(r"(?:NCBITaxon[_:]|[?&]id=|/taxonomy/)(\d{1,10})\b", re.I)
_MEDIA_TYPE = re.compile(r"^[\w.+-]+/[\w.+-]+$")
_PMID = re.compile(r"^(?:pubmed:|pmid:|https?://(?:www\.)?ncbi\.nlm\.nih\.gov/pubmed/)(\d{1,9})$")
_LEVELS = {"beginner": "beginner", "intermediate": "intermediate", "advanced": "advanced"}


def error(pointer: str, rule: str, detail: str) -> FieldError:
    return FieldError(pointer, rule, detail)


def _identifier_values(node: dict[str, Any]) -> list[str]:
    values: list[str] = []
    for value in as_list(node.get("identifier")):
        if isinstance(value, dict):  # PropertyValue
            value = value.get("value") or value.get("@id") or value.get("url")
        if isinstance(value, str | int) and str(value).strip():
            values.append(str(value).strip())
    return values


def primary_identifier(node: dict[str, Any]) -> tuple[str, str] | None:
    """The identifier a record is imported by: bio.tools id, DOI, ``@id``, ``identifier``,
    ``url``, in that order."""
    candidates = [node.get("@id"), *_identifier_values(node), first_text(node.get("url"))]
    strings = [str(c).strip() for c in candidates if isinstance(c, str) and c.strip()]
    for value in strings:
        if match := _BIOTOOLS.match(value):
            return "biotools", match.group(1)
    for value in strings:
        if (doi := doi_or_none(value)) is not None:
            return "doi", doi
    node_id = node.get("@id")
    if isinstance(node_id, str) and node_id.strip() and not node_id.startswith("_:"):
        return "url", node_id.strip()
    values = _identifier_values(node)
    if values:
        return "accession", values[0]
    url = first_text(node.get("url"))
    return ("url", url) if url else None


def local_id(primary: tuple[str, str]) -> str:
    return local_id_for(*primary)


def node_key(node: dict[str, Any]) -> str:
    primary = primary_identifier(node)
    return primary[1] if primary else (first_text(node.get("name")) or "course")


def _identifiers(node: dict[str, Any]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for value in [node.get("@id"), *_identifier_values(node)]:
        if not isinstance(value, str) or not value.strip() or value.startswith("_:"):
            continue
        if match := _BIOTOOLS.match(value):
            entry = {"scheme": "biotools", "value": match.group(1)}
        elif doi := doi_or_none(value):
            entry = {"scheme": "doi", "value": doi}
        elif value.startswith(("http://", "https://")):
            entry = {"scheme": "url", "value": value}
        else:
            entry = {"scheme": "accession", "value": value}
        if entry not in out:
            out.append(entry)
    return out


def common(
    node: dict[str, Any], record: dict[str, Any], item: SourceItem, ctx: MappingContext
) -> None:
    """The fields every type shares."""
    record["identifiers"] = _identifiers(node)
    keywords, terms = _keywords(node.get("keywords"))
    record["keywords"] = keywords
    topics: list[str] = []
    for value in terms + _term_ids(node, "about", "isAbout", "applicationSubCategory"):
        if (uri := ctx.edam(value, "topic")) is not None:
            topics.append(uri)
        elif "edamontology.org" in value or value.lower().startswith("edam:"):
            item.warnings.append(f"left out {value}: not a current EDAM topic")
    record["topics"] = list(dict.fromkeys(topics))
    _licence(node.get("license"), record, item, ctx)
    record["creators"] = _agents(node.get("creator") or node.get("author"), item)
    record["contributors"] = _agents(node.get("contributor"), item)
    if publisher := _organisation(node.get("publisher")):
        record["publisher"] = publisher
    for key, target in (("datePublished", "issued"), ("dateModified", "modified")):
        if (when := parse_date(node.get(key))) is not None:
            record[target] = when.isoformat()
    languages = [t for v in as_list(node.get("inLanguage")) if (t := first_text(v))]
    record["languages"] = [t for t in languages if re.match(r"^[A-Za-z]{2,3}(-\w+)*$", t)]
    landing = first_text(node.get("url")) or node.get("@id")
    if isinstance(landing, str) and landing.startswith(("http://", "https://")):
        record["landing_page"] = landing
    record["publications"] = _citations(node.get("citation"))


def _keywords(value: Any) -> tuple[list[str], list[str]]:
    """Plain keywords, and the term IRIs of ``DefinedTerm`` keywords."""
    words: list[str] = []
    terms: list[str] = []
    for item in as_list(value):
        if isinstance(item, dict):
            term = item.get("@id") or item.get("url") or item.get("termCode")
            if isinstance(term, str):
                terms.append(term)
            if isinstance(name := item.get("name"), str) and name.strip():
                words.append(name.strip())
        elif isinstance(item, str):
            words += [w.strip() for w in item.split(",") if w.strip()]
    return list(dict.fromkeys(w[:200] for w in words)), terms


def _term_ids(node: dict[str, Any], *keys: str) -> list[str]:
    out: list[str] = []
    for key in keys:
        for value in as_list(node.get(key)):
            if isinstance(value, dict):
                value = value.get("@id") or value.get("url") or value.get("termCode")
            if isinstance(value, str) and value.strip():
                out.append(value.strip())
    return out


def _licence(value: Any, record: dict[str, Any], item: SourceItem, ctx: MappingContext) -> None:
    """The first entry naming an SPDX licence (by id, URL or name) is the licence; every other
    one (a terms-of-use URL, a CreativeWork without an SPDX id) is kept as a rights statement."""
    for entry in as_list(value):
        if isinstance(entry, dict):
            uri = next(
                (v for k in ("@id", "url") if isinstance(v := entry.get(k), str) and v.strip()),
                None,
            )
            words = first_text(entry.get("name"))
            candidates = [entry.get("identifier"), uri, words]
        elif isinstance(entry, str) and entry.strip():
            is_url = entry.strip().lower().startswith(("http://", "https://"))
            uri, words = (entry, None) if is_url else (None, entry)
            candidates = [entry]
        else:
            continue
        found = next(
            (f for c in candidates if isinstance(c, str) and (f := ctx.spdx(c)) is not None),
            None,
        )
        if found is not None and "license" not in record:
            record["license"] = found
            continue
        if statement := rights_statement(text=words, uri=uri):
            record.setdefault("rights", []).append(statement)
            shown = words or uri
            why = "a second licence" if found is not None else "names no SPDX licence"
            item.warnings.append(f"licence {shown!r}: {why}; kept as a rights statement")


def _name(agent: dict[str, Any]) -> str | None:
    name = first_text(agent.get("name"))
    if name:
        return name
    parts = [first_text(agent.get("givenName")), first_text(agent.get("familyName"))]
    joined = " ".join(p for p in parts if p)
    return joined or None


def _agents(value: Any, item: SourceItem) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for agent in as_list(value):
        if isinstance(agent, str) and agent.strip():
            out.append({"type": "Person", "name": agent.strip()})
            continue
        if not isinstance(agent, dict) or not (name := _name(agent)):
            continue
        is_org = "Organization" in node_types(agent)
        entry: dict[str, Any] = {"type": "Organization" if is_org else "Person", "name": name}
        ids = [agent.get("@id"), *_identifier_values(agent)]
        orcids = [str(i) for i in ids if isinstance(i, str) and "orcid.org" in i]
        if orcids and not is_org:
            if (orcid := clean_orcid(orcids[0])) is not None:
                entry["orcid"] = orcid
            else:
                item.warnings.append(f"left out the invalid ORCID iD {orcids[0]!r}")
        affiliation = first_text(agent.get("affiliation"))
        if affiliation and not is_org:
            entry["affiliation"] = affiliation
        out.append(entry)
    return out


def _organisation(value: Any) -> dict[str, Any] | None:
    for entry in as_list(value):
        if isinstance(entry, str) and entry.strip():
            return {"name": entry.strip()}
        if isinstance(entry, dict) and (name := _name(entry)):
            org: dict[str, Any] = {"name": name}
            url = first_text(entry.get("url"))
            if url and url.startswith(("http://", "https://")):
                org["url"] = url
            return org
    return None


def _citations(value: Any) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for entry in as_list(value):
        candidates: list[Any] = [entry]
        title = None
        if isinstance(entry, dict):
            candidates = [entry.get("@id"), *as_list(entry.get("identifier")), entry.get("url")]
            title = first_text(entry.get("name"))
        publication = _publication(candidates)
        if publication is None:
            continue
        if title:
            publication["title"] = title
        if publication not in out:
            out.append(publication)
    return out


def _publication(candidates: list[Any]) -> dict[str, str] | None:
    strings = [c.strip() for c in candidates if isinstance(c, str) and c.strip()]
    for value in strings:
        if doi := doi_or_none(value):
            return {"doi": doi}
        if match := _PMID.match(value):
            return {"pmid": match.group(1)}
    for value in strings:
        if value.startswith(("http://", "https://")) and " " not in value:
            return {"url": value}
    return None


def dataset_part(node: dict[str, Any], item: SourceItem) -> dict[str, Any]:
    organisms: list[str] = []
    for value in _term_ids(node, "taxonomicRange", "species"):
        if match := _TAXON.search(value):
            organisms.append(match.group(1))
    distributions: list[dict[str, Any]] = []
    for download in as_list(node.get("distribution")):
        if not isinstance(download, dict):
            continue
        url = first_text(download.get("contentUrl"))
        if not url or not url.startswith(("http://", "https://")):
            continue
        entry: dict[str, Any] = {"download_url": url}
        media = first_text(download.get("encodingFormat"))
        if media and _MEDIA_TYPE.match(media):
            entry["media_type"] = media
        distributions.append(entry)
    return {"organisms": list(dict.fromkeys(organisms)), "distributions": distributions}


def software_part(
    node: dict[str, Any], record: dict[str, Any], item: SourceItem, ctx: MappingContext
) -> dict[str, Any]:
    part: dict[str, Any] = {"operations": [], "input_formats": [], "output_formats": []}
    for value in _term_ids(node, "featureList", "applicationSubCategory", "about"):
        if (uri := ctx.edam(value, "operation")) is not None:
            part["operations"].append(uri)
    for key, target in (("input", "input_formats"), ("output", "output_formats")):
        for parameter in as_list(node.get(key)):
            if isinstance(parameter, dict):
                for value in _term_ids(parameter, "encodingFormat"):
                    if (uri := ctx.edam(value, "format")) is not None:
                        part[target].append(uri)
    for key in ("operations", "input_formats", "output_formats"):
        part[key] = list(dict.fromkeys(part[key]))
    for identifier in record["identifiers"]:
        if identifier["scheme"] == "biotools":
            part["biotools_id"] = identifier["value"]
    repository = first_text(node.get("codeRepository"))
    if repository and repository.startswith(("http://", "https://")):
        part["code_repository"] = repository
    if version := first_text(node.get("softwareVersion") or node.get("version")):
        part["software_version"] = version
    return part


def training_part(node: dict[str, Any]) -> dict[str, Any]:
    audience = [
        a for v in as_list(node.get("audience")) if (a := first_text(_audience(v))) is not None
    ]
    level = _LEVELS.get((first_text(node.get("educationalLevel")) or "").strip().lower())
    outcomes = [t for v in as_list(node.get("teaches")) if (t := first_text(v))]
    part: dict[str, Any] = {"audience": audience, "learning_outcomes": outcomes}
    if level:
        part["level"] = level
    return part


def _audience(value: Any) -> Any:
    return value.get("audienceType") or value.get("name") if isinstance(value, dict) else value


def course_part(instance: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """A CourseInstance's dates and place, or why it has none."""
    start, end = parse_date(instance.get("startDate")), parse_date(instance.get("endDate"))
    if start is None:
        return None, "a CourseInstance needs a startDate"
    mode = " ".join(str(m).lower() for m in as_list(instance.get("courseMode")))
    part: dict[str, Any] = {
        "start_date": start.isoformat(),
        "end_date": (end or start).isoformat(),
        "online": "online" in mode,
    }
    location = instance.get("location")
    if isinstance(location, dict) and (name := first_text(location.get("name"))):
        part["location"] = {"name": name}
        if address := first_text(location.get("address")):
            part["location"]["address"] = address
    elif isinstance(location, str) and location.strip():
        part["location"] = {"name": location.strip()}
    capacity = instance.get("maximumAttendeeCapacity")
    if isinstance(capacity, int) and capacity >= 0:
        part["capacity"] = capacity
    if "location" not in part and not part["online"]:
        return None, "a CourseInstance needs a location or an online courseMode"
    return part, ""

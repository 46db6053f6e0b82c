"""bio.tools (biotoolsSchema JSON) -> Software records.

A file holds one tool object, a JSON array of them, or a bio.tools API page
(``{"list": [...]}``); arrays are read item by item so a large export stays in constant memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from converge_metadata.importers.common import (
    MappingContext,
    SourceItem,
    as_list,
    clean_orcid,
    doi_or_none,
    local_id_for,
    rights_statement,
)
from converge_metadata.importers.jsonstream import iter_json_documents

__all__ = ["map_tool", "parse_biotools"]

# biotoolsSchema credit roles that make someone an author rather than a contributor
_AUTHOR_ROLES = {"Developer", "Maintainer"}
# bio.tools credit roles -> DataCite contributorType
_CONTRIBUTOR_ROLES = {
    "Primary contact": "ContactPerson",
    "Contributor": "Other",
    "Provider": "HostingInstitution",
    "Documentor": "Editor",
    "Support": "ContactPerson",
}
_ORGANISATIONS = {"Institute", "Project", "Division", "Consortium", "Funding agency"}


def parse_biotools(stream: IO[bytes], name: str, ctx: MappingContext) -> Iterator[SourceItem]:
    for position, document in iter_json_documents(
        stream, name, list_keys=("list",), max_depth=ctx.max_depth
    ):
        if isinstance(document, SourceItem):
            yield document
        elif not isinstance(document, dict):
            yield SourceItem.failed(position, "", "type", "a bio.tools record is a JSON object")
        else:
            yield map_tool(document, position, ctx)


def map_tool(tool: dict[str, Any], position: str, ctx: MappingContext) -> SourceItem:
    tool_id = tool.get("biotoolsID")
    if not isinstance(tool_id, str) or not tool_id.strip():
        return SourceItem.failed(position, "/biotoolsID", "required", "a tool needs its biotoolsID")
    tool_id = tool_id.strip()
    item = SourceItem(position, tool_id)
    software: dict[str, Any] = {"biotools_id": tool_id}
    record: dict[str, Any] = {
        "id": local_id_for("biotools", tool_id),
        "type": "Software",
        "status": ctx.status,
        "title": {"en": tool.get("name") or tool_id},
        "identifiers": [{"scheme": "biotools", "value": tool_id}],
        "software": software,
    }
    if isinstance(tool.get("description"), str) and tool["description"].strip():
        record["description"] = {"en": tool["description"]}
    record["topics"] = _terms(tool.get("topic"), "topic", item, ctx)
    _functions(tool.get("function"), software, item, ctx)
    record["keywords"] = _keywords(tool)
    _licence(tool.get("license"), record, item, ctx)
    record["publications"] = _publications(tool.get("publication"))
    _credits(tool.get("credit"), record, item)
    if tool.get("homepage"):
        record["landing_page"] = tool["homepage"]
    for link in as_list(tool.get("link")):
        if isinstance(link, dict) and "Repository" in as_list(link.get("type")):
            software["code_repository"] = link.get("url")
            break
    versions = [v for v in as_list(tool.get("version")) if isinstance(v, str) and v.strip()]
    if versions:
        software["software_version"] = versions[-1]
    for other in as_list(tool.get("otherID")):
        if not isinstance(other, dict) or other.get("type") != "doi":
            continue
        if doi := doi_or_none(str(other.get("value") or "")):
            record["identifiers"].append({"scheme": "doi", "value": doi})
    item.record = record
    return item


def _terms(values: Any, branch: str, item: SourceItem, ctx: MappingContext) -> list[str]:
    out: list[str] = []
    for value in as_list(values):
        uri = value.get("uri") if isinstance(value, dict) else value
        if not isinstance(uri, str):
            continue
        canonical = ctx.edam(uri, branch)
        if canonical is None:
            item.warnings.append(f"left out {uri}: not a current EDAM {branch}")
        elif canonical not in out:
            out.append(canonical)
    return out


def _functions(
    functions: Any, software: dict[str, Any], item: SourceItem, ctx: MappingContext
) -> None:
    operations: list[str] = []
    inputs: list[str] = []
    outputs: list[str] = []
    for function in as_list(functions):
        if not isinstance(function, dict):
            continue
        operations += _terms(function.get("operation"), "operation", item, ctx)
        for target, key in ((inputs, "input"), (outputs, "output")):
            for slot in as_list(function.get(key)):
                if isinstance(slot, dict):
                    target += _terms(slot.get("format"), "format", item, ctx)
    software["operations"] = list(dict.fromkeys(operations))
    software["input_formats"] = list(dict.fromkeys(inputs))
    software["output_formats"] = list(dict.fromkeys(outputs))


def _keywords(tool: dict[str, Any]) -> list[str]:
    words: list[str] = []
    for key in ("toolType", "elixirNode", "elixirPlatform", "elixirCommunity", "collectionID"):
        words += [str(v).strip() for v in as_list(tool.get(key)) if str(v).strip()]
    return list(dict.fromkeys(w[:200] for w in words))


def _licence(value: Any, record: dict[str, Any], item: SourceItem, ctx: MappingContext) -> None:
    if not isinstance(value, str) or not value.strip():
        return
    found = ctx.spdx(value)
    if found is not None:
        record["license"] = found
    elif statement := rights_statement(text=value):
        # bio.tools' own terms (Proprietary, Other, Freeware, Not licensed) are no SPDX licence
        record.setdefault("rights", []).append(statement)
        item.warnings.append(f"licence {value!r} names no SPDX licence; kept as a rights statement")


def _publications(values: Any) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for publication in as_list(values):
        if not isinstance(publication, dict):
            continue
        entry: dict[str, str] = {}
        if publication.get("doi") and (doi := doi_or_none(str(publication["doi"]))):
            entry["doi"] = doi
        pmid = str(publication.get("pmid") or "").strip()
        if pmid.isdigit() and len(pmid) <= 9:
            entry["pmid"] = pmid
        if entry and entry not in out:
            out.append(entry)
    return out


def _credits(values: Any, record: dict[str, Any], item: SourceItem) -> None:
    creators: list[dict[str, Any]] = []
    contributors: list[dict[str, Any]] = []
    funding: list[dict[str, Any]] = []
    for credit in as_list(values):
        if not isinstance(credit, dict) or not str(credit.get("name") or "").strip():
            continue
        name = str(credit["name"]).strip()
        entity = credit.get("typeEntity")
        if entity == "Funding agency":
            funding.append({"funder": name})
            continue
        agent: dict[str, Any] = {
            "type": "Organization" if entity in _ORGANISATIONS else "Person",
            "name": name,
        }
        if credit.get("orcidid"):
            orcid = clean_orcid(str(credit["orcidid"]))
            if orcid is None:
                item.warnings.append(f"left out the invalid ORCID iD {credit['orcidid']!r}")
            elif agent["type"] == "Person":
                agent["orcid"] = orcid
        roles = [r for r in as_list(credit.get("typeRole")) if isinstance(r, str)]
        if not roles or _AUTHOR_ROLES.intersection(roles):
            creators.append(agent)
        else:
            contributors.append({**agent, "role": _CONTRIBUTOR_ROLES.get(roles[0], "Other")})
    record["creators"] = creators
    record["contributors"] = contributors
    record["funding"] = funding

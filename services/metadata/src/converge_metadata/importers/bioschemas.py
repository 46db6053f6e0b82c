"""Bioschemas JSON-LD -> records: Dataset, ComputationalTool (SoftwareApplication),
TrainingMaterial, and Course with its CourseInstances.

A document is one node, an array of nodes, or an ``@graph``; in a graph, nodes of other types
(people, organisations, downloads) are only referenced, and a graph without any supported node
is rejected as a whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, Any

from converge_metadata.importers import bioschemas_fields as fields
from converge_metadata.importers.common import MappingContext, SourceItem, as_list
from converge_metadata.importers.jsonld import first_text, node_types, normalise_node, texts
from converge_metadata.importers.jsonstream import iter_json_documents

__all__ = ["parse_bioschemas"]

_TYPES = {
    "Dataset": "Dataset",
    "SoftwareApplication": "Software",
    "ComputationalTool": "Software",
    "WebApplication": "Software",
    "MobileApplication": "Software",
    "SoftwareSourceCode": "Software",
    "ComputationalWorkflow": "Software",
    "TrainingMaterial": "TrainingMaterial",
    "LearningResource": "TrainingMaterial",
    "Course": "Course",
    "CourseInstance": "CourseInstance",
}
_SUPPORTED = "Dataset, ComputationalTool (SoftwareApplication), TrainingMaterial, Course"
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def parse_bioschemas(stream: IO[bytes], name: str, ctx: MappingContext) -> Iterator[SourceItem]:
    for position, document in iter_json_documents(stream, name, max_depth=ctx.max_depth):
        if isinstance(document, SourceItem):
            yield document
        elif isinstance(document, dict) and isinstance(document.get("@graph"), list):
            yield from _graph(document["@graph"], position, ctx)
        elif isinstance(document, dict):
            node = normalise_node(document, {})
            yield from _node(node, position, ctx)
        else:
            yield SourceItem.failed(position, "", "type", "a JSON-LD node is a JSON object")


def _graph(nodes: list[Any], position: str, ctx: MappingContext) -> Iterator[SourceItem]:
    index = {n["@id"]: n for n in nodes if isinstance(n, dict) and isinstance(n.get("@id"), str)}
    found = False
    seen: list[str] = []
    for number, raw in enumerate(nodes):
        if not isinstance(raw, dict):
            continue
        seen += node_types(raw)
        if any(t in _TYPES for t in node_types(raw)):
            found = True
            node = normalise_node(raw, {k: v for k, v in index.items() if v is not raw})
            yield from _node(node, f"{position}#/@graph/{number}", ctx)
    if not found:
        kinds = ", ".join(sorted(set(seen))) or "none"
        yield SourceItem.failed(
            position, "/@graph", "unsupported_type", f"no {_SUPPORTED} node (found: {kinds})"
        )


def _node(node: dict[str, Any], position: str, ctx: MappingContext) -> Iterator[SourceItem]:
    kinds = [_TYPES[t] for t in node_types(node) if t in _TYPES]
    if not kinds:
        found = ", ".join(node_types(node)) or "no @type"
        yield SourceItem.failed(
            position, "/@type", "unsupported_type", f"{found} is not a {_SUPPORTED}"
        )
        return
    kind = kinds[0]
    if kind == "Course":
        yield from _course(node, position, ctx)
        return
    yield _record(node, kind, position, ctx)


def _record(
    node: dict[str, Any],
    kind: str,
    position: str,
    ctx: MappingContext,
    *,
    primary: tuple[str, str] | None = None,
    **extra: Any,
) -> SourceItem:
    primary = primary or fields.primary_identifier(node)
    item = SourceItem(position, primary[1] if primary else None)
    lang = _language(node)
    title = texts(node.get("name"), lang)
    if not title:
        item.errors.append(fields.error("/name", "required", f"a Bioschemas {kind} needs a name"))
        return item
    if primary is None:
        item.errors.append(
            fields.error("/@id", "identifier", "give an @id, identifier or url to import by")
        )
        return item
    record: dict[str, Any] = {
        "id": fields.local_id(primary),
        "type": kind,
        "status": ctx.status,
        "title": title,
        "description": texts(node.get("description"), lang),
        **extra,
    }
    fields.common(node, record, item, ctx)
    if kind == "Dataset":
        record["dataset"] = fields.dataset_part(node, item)
    elif kind == "Software":
        record["software"] = fields.software_part(node, record, item, ctx)
    else:
        record["training"] = fields.training_part(node)
    item.record = record
    return item


def _course(node: dict[str, Any], position: str, ctx: MappingContext) -> Iterator[SourceItem]:
    instances = [i for i in as_list(node.get("hasCourseInstance")) if isinstance(i, dict)]
    if not instances:
        item = _record(node, "TrainingMaterial", position, ctx)
        item.warnings.append("a Course without hasCourseInstance is imported as TrainingMaterial")
        yield item
        return
    for number, instance in enumerate(instances):
        merged = {**node, **{k: v for k, v in instance.items() if k not in ("@type", "@id")}}
        # every instance is its own record: its own @id, else the course's key and its index
        key = instance.get("@id") or f"{fields.node_key(node)}#instance-{number}"
        where = f"{position}#/hasCourseInstance/{number}"
        course, problem = fields.course_part(instance)
        if course is None:
            yield SourceItem.failed(where, "/hasCourseInstance", "course_instance", problem)
            continue
        yield _record(merged, "CourseInstance", where, ctx, primary=("url", key), course=course)


def _language(node: dict[str, Any]) -> str:
    value = first_text(node.get("inLanguage"))
    return value if value and _LANG.match(value) else "en"

"""What a write sends, checked in one pass: read-only fields, JSON Merge Patch, validation.

A record body is checked as a whole and every problem is reported in one answer: the schema's
rules (types, patterns, required fields, the rules of each part), the vocabularies (EDAM, NCBI
Taxonomy, SPDX, DUO, the parts a type may have) and the read-only fields a ``GET`` adds. The
vocabularies need a parsed record, so when the schema refuses some values they are checked on
what remains once the refused values are set aside (:func:`_salvaged`); a writer learns of a
bad ORCID iD and an unknown EDAM topic in the same answer.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any

from converge_common.errors import FieldError, InvalidInput, field_errors_from_pydantic
from pydantic import TypeAdapter, ValidationError

from converge_metadata.records.schemas import READ_ONLY_FIELDS, RecordBase, RecordRead
from converge_metadata.records.validation import normalise_record
from converge_metadata.vocab import Vocabularies

__all__ = [
    "MAX_BODY_DEPTH",
    "READ_ONLY_FIELDS",
    "check_depth",
    "invalid",
    "merge_patch",
    "read_only_errors",
    "salvaged_content",
    "validated_content",
]

# a record is a few levels deep; a deeper body is refused before it is walked
MAX_BODY_DEPTH = 32
# rounds of setting refused values aside before the vocabularies give up on a body
_SALVAGE_ROUNDS = 8
# the parts check's rules, meaningless when the type is a stand-in
_PART_RULES = frozenset({"type_part"})


def invalid(errors: Sequence[FieldError]) -> InvalidInput:
    return InvalidInput(
        f"{len(errors)} field(s) failed validation: "
        + ", ".join(f"{e['pointer']} ({e['rule']})" for e in errors[:10]),
        errors=errors,
    )


def _depth(value: Any) -> int:
    """How deeply ``value`` nests (walked without recursion)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_BODY_DEPTH:
            break
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        )
        stack.extend((child, level + 1) for child in children)
    return deepest


def check_depth(body: Any) -> None:
    """Refuse a body that nests deeper than any record does, before anything walks it."""
    if _depth(body) > MAX_BODY_DEPTH:
        raise InvalidInput(
            f"The body nests deeper than {MAX_BODY_DEPTH} levels",
            errors=[FieldError("", "max_depth", f"at most {MAX_BODY_DEPTH} levels")],
        )


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: ``patch`` applied to ``target`` (neither is changed). ``null`` removes a member,
    an object merges member by member, anything else (arrays included) replaces. ``patch``
    has passed :func:`check_depth`."""
    return _merge(target, patch)


def _merge(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for name, value in patch.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = _merge(result.get(name), value)
    return result


@cache
def _adapter(name: str) -> TypeAdapter[Any]:
    annotation: Any = RecordRead.model_fields[name].annotation
    return TypeAdapter(annotation)


def _comparable(value: Any) -> Any:
    # a stored timestamp may come back naive (SQLite); every timestamp here is UTC
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def read_only_errors(body: dict[str, Any], current: RecordRead) -> list[FieldError]:
    """A read-only field in ``body`` that differs from what a GET shows now (an equal one, as
    in a body a GET returned, is ignored)."""
    errors: list[FieldError] = []
    for name in READ_ONLY_FIELDS:
        if name not in body:
            continue
        now = _comparable(getattr(current, name))
        try:
            sent = _comparable(_adapter(name).validate_python(body[name]))
        except ValidationError:
            sent = body[name]
        if sent != now:
            shown = _adapter(name).dump_python(getattr(current, name), mode="json")
            errors.append(
                FieldError(
                    f"/{name}",
                    "read_only",
                    f"{name} is set by the service (now {shown!r}): leave it out or send it "
                    "unchanged",
                )
            )
    return errors


def validated_content(
    document: dict[str, Any], vocab: Vocabularies, *, errors: Sequence[FieldError] = ()
) -> RecordBase:
    """``document`` (without read-only fields) as a normalised record, or one ``InvalidInput``
    naming every problem: ``errors`` found before, the schema's and the vocabularies'."""
    found = list(errors)
    stand_in_type = False
    try:
        content: RecordBase | None = RecordBase.model_validate(document)
    except ValidationError as exc:
        found.extend(field_errors_from_pydantic(exc.errors()))
        content, stand_in_type = _salvaged(document, exc)
    if content is not None:
        checked = normalise_record(content, vocab)
        if stand_in_type:
            checked = [
                e for e in checked if e["rule"] not in _PART_RULES and e["pointer"] != "/course"
            ]
        found.extend(checked)
    if found or content is None:
        raise invalid(found)
    return content


def salvaged_content(document: dict[str, Any]) -> RecordBase | None:
    """What of ``document`` the schema accepts, every refused value set aside: to judge an
    unsaved draft (its FAIR assessment while a steward edits), never to store."""
    try:
        return RecordBase.model_validate(document)
    except ValidationError as exc:
        return _salvaged(document, exc)[0]


_GONE = object()


def _salvaged(document: dict[str, Any], exc: ValidationError) -> tuple[RecordBase | None, bool]:
    """The record that remains when every value the schema refused is set aside (as deep as
    the error points; a missing member sets its object aside), for the vocabulary checks. A
    required top-level value that is refused gets a stand-in. Setting values aside can break
    a rule of the object around them, so this repeats, a bounded number of times."""
    remaining: Any = copy.deepcopy(document)
    stand_in_type = False
    for _ in range(_SALVAGE_ROUNDS):
        for error in exc.errors():
            _set_aside(remaining, tuple(error.get("loc", ())))
        remaining = _without_gone(remaining)
        if not isinstance(remaining, dict):
            return None, stand_in_type
        if "type" not in remaining:
            remaining["type"] = _type_for_parts(remaining)
            stand_in_type = True
        remaining.setdefault("title", {"en": "-"})
        try:
            return RecordBase.model_validate(remaining), stand_in_type
        except ValidationError as again:
            exc = again
    return None, stand_in_type


def _set_aside(document: Any, location: tuple[Any, ...]) -> None:
    """Mark the deepest value on ``location`` that exists in ``document`` as gone."""
    parent: Any = None
    key: Any = None
    node: Any = document
    for step in location:
        found = isinstance(node, dict) and isinstance(step, str) and step in node
        found = found or (
            isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
        )
        if not found:
            break
        parent, key, node = node, step, node[step]
    if parent is not None:
        parent[key] = _GONE


def _without_gone(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_gone(v) for k, v in value.items() if v is not _GONE}
    if isinstance(value, list):
        return [_without_gone(v) for v in value if v is not _GONE]
    return value


def _type_for_parts(document: dict[str, Any]) -> str:
    for part, record_type in (
        ("course", "CourseInstance"),
        ("training", "TrainingMaterial"),
        ("software", "Software"),
    ):
        if part in document:
            return record_type
    return "Dataset"

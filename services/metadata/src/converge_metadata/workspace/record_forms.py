"""What a record form does on the server: read a stored record into a form, turn a submitted
form into a save through the records service (the API's own validation and ``If-Match``), and
assess an unsaved record for FAIR.

A save ends one of three ways (:data:`Outcome`): :class:`Saved`; :class:`Refused`, the form
again with each problem at the field its JSON pointer names; or :class:`Stale`, when someone
else saved first (the record's ETag moved on): the steward's edit and the stored record, for
the conflict page. Nothing is overwritten that the steward did not choose to overwrite.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from converge_common.errors import FieldError, InvalidInput
from sqlalchemy.ext.asyncio import AsyncSession

from converge_metadata.access import Viewer, version_is_public
from converge_metadata.models import Record
from converge_metadata.publishing.context import PublicationContext
from converge_metadata.publishing.fair.metrics import assess
from converge_metadata.publishing.fair.schemas import FairAssessment
from converge_metadata.publishing.fair.service import facts_for
from converge_metadata.records import service
from converge_metadata.records.editing import salvaged_content, validated_content
from converge_metadata.records.exceptions import EtagMismatch
from converge_metadata.records.schemas import RecordBase, RecordRead
from converge_metadata.terms.index import TermIndex
from converge_metadata.vocab import Vocabularies
from converge_metadata.workspace.form_fields import field_id, label_for
from converge_metadata.workspace.forms import (
    FormState,
    Mapped,
    document_from_state,
    state_from_record,
    term_display,
    term_resolver,
)

__all__ = [
    "STEWARD",
    "Assessment",
    "FieldProblem",
    "Outcome",
    "Refused",
    "Saved",
    "SideBySide",
    "Stale",
    "assess_state",
    "labelled_values",
    "problems_for",
    "record_document",
    "save_form",
    "side_by_side",
    "state_of",
]


@dataclass(frozen=True)
class FieldProblem:
    """One problem as the page shows it: the message, and the field it belongs to (``None``:
    shown only in the summary, for a rule of the whole record)."""

    message: str
    rule: str
    pointer: str
    path: str | None

    @property
    def anchor(self) -> str | None:
        return field_id(self.path) if self.path is not None else None


@dataclass(frozen=True)
class Saved:
    record: Record


@dataclass(frozen=True)
class Refused:
    problems: list[FieldProblem]

    def by_path(self) -> dict[str, list[FieldProblem]]:
        found: dict[str, list[FieldProblem]] = {}
        for problem in self.problems:
            if problem.path is not None:
                found.setdefault(problem.path, []).append(problem)
        return found


@dataclass(frozen=True)
class Stale:
    """Someone saved first: the steward's unsaved document and the record as stored now."""

    mine: dict[str, Any]
    stored: Record


Outcome = Saved | Refused | Stale
# the workspace's readers are the Node's stewards: they see the whole record
STEWARD = Viewer(steward=True, today=date.min)


def record_document(record: Record) -> dict[str, Any]:
    """A stored record's content as the API's record JSON (what a form is filled from)."""
    document: dict[str, Any] = record.document
    return RecordBase.model_validate(document).model_dump(mode="json", exclude_none=True)


def state_of(record: Record) -> FormState:
    return state_from_record(record_document(record))


def mapped_form(state: FormState, *, index: TermIndex, status: str) -> Mapped:
    return document_from_state(state, resolve=term_resolver(index), status=status)


def problems_for(errors: list[FieldError], mapped: Mapped) -> list[FieldProblem]:
    """The API's errors (JSON pointers into the record JSON) at the form's fields."""
    return [
        FieldProblem(
            message=_message(error),
            rule=error["rule"],
            pointer=error["pointer"],
            path=mapped.field_for(error["pointer"]),
        )
        for error in errors
    ]


def _message(error: FieldError) -> str:
    detail = error["detail"]
    return detail[:1].upper() + detail[1:] if detail else error["rule"]


async def save_form(
    session: AsyncSession,
    state: FormState,
    *,
    record_id: str | None,
    etag: str | None,
    status: str,
    actor: str,
    node: str,
    vocab: Vocabularies,
    index: TermIndex,
    actor_name: str | None = None,
) -> Outcome:
    """Create (``record_id`` None) or replace a record from a form, as the API would."""
    mapped = mapped_form(state, index=index, status=status)
    body = dict(mapped.document)
    chosen_id = state.value("/id").strip()
    if record_id is None and chosen_id:
        body["id"] = chosen_id
        mapped.sources["/id"] = "/id"
    try:
        if record_id is None:
            record = await service.create_record(
                session, body, actor=actor, vocab=vocab, actor_name=actor_name
            )
        else:
            record = await service.update_record(
                session,
                record_id,
                body,
                node=node,
                if_match=etag,
                actor=actor,
                vocab=vocab,
                actor_name=actor_name,
            )
    except InvalidInput as exc:
        return Refused(problems_for(exc.errors, mapped))
    except EtagMismatch:
        assert record_id is not None
        stored = await service.read_record(session, record_id, viewer=STEWARD)
        return Stale(mine=_comparable(mapped.document, vocab), stored=stored)
    return Saved(record)


def _comparable(document: dict[str, Any], vocab: Vocabularies) -> dict[str, Any]:
    """The steward's document as it would be stored (terms with labels), when it is valid."""
    try:
        content = validated_content(document, vocab)
    except InvalidInput:
        return document
    return content.model_dump(mode="json", exclude_none=True)


@dataclass(frozen=True)
class Assessment:
    """The FAIR assessment of an unsaved record, and how many problems stand in its way."""

    fair: FairAssessment
    problems: int


def assess_state(
    state: FormState,
    *,
    record_id: str | None,
    status: str,
    vocab: Vocabularies,
    index: TermIndex,
    context: PublicationContext,
) -> Assessment:
    """Assess what the form holds now, unsaved: the values the validation refuses are left
    out (they would not be stored either), the rest is judged as the published record would
    be."""
    mapped = mapped_form(state, index=index, status=status)
    problems = 0
    try:
        content: RecordBase | None = validated_content(mapped.document, vocab)
    except InvalidInput as exc:
        problems = len(exc.errors)
        content = salvaged_content(mapped.document)
    if content is None:
        content = RecordBase(type="Dataset", title={"en": "-"})
    now = datetime.now(UTC)
    local_id = record_id or "new"
    record = RecordRead(
        **content.model_dump(),
        id=local_id,
        node=context.node_id,
        global_id=f"{context.node_id}:{local_id}",
        version=1,
        created_at=now,
        modified_at=now,
        published_at=now if content.status == "published" else None,
        created_by="",
        modified_by="",
    )
    visible = version_is_public(content.model_dump(mode="json"), now.date())
    return Assessment(assess(record, facts_for(context, visible=visible)), problems)


@dataclass(frozen=True)
class SideBySide:
    """One field of the conflict page: the steward's value, the stored one, as text."""

    pointer: str
    label: str
    mine: str | None
    stored: str | None

    @property
    def differs(self) -> bool:
        return self.mine != self.stored


def side_by_side(mine: dict[str, Any], stored: dict[str, Any]) -> list[SideBySide]:
    """Both documents flattened to their values, in the order of the fields, each value once:
    what the conflict page lays out in two columns."""
    left, right = _flat(mine), _flat(stored)
    order = list(left) + [p for p in right if p not in left]
    return [
        SideBySide(pointer, _json_label(pointer), left.get(pointer), right.get(pointer))
        for pointer in order
        if pointer not in _SYSTEM
    ]


_SYSTEM = frozenset({"/type"})


def labelled_values(document: dict[str, Any]) -> list[tuple[str, str, str]]:
    """A record's values in the order of the document, each as ``(pointer, label, text)``:
    what the record page lists, named as the form names its fields."""
    return [(pointer, _json_label(pointer), text) for pointer, text in _flat(document).items()]


def _flat(value: Any, pointer: str = "") -> dict[str, str]:
    if isinstance(value, dict):
        if set(value) <= {"uri", "label"} and "uri" in value:  # a term, as one value
            return {pointer: term_display(value, "")}
        out: dict[str, str] = {}
        for key, member in value.items():
            out.update(_flat(member, f"{pointer}/{key}"))
        return out
    if isinstance(value, list):
        out = {}
        for index, item in enumerate(value):
            out.update(_flat(item, f"{pointer}/{index}"))
        return out
    if isinstance(value, bool):
        return {pointer: "yes" if value else "no"}
    return {pointer: str(value)}


def _json_label(pointer: str) -> str:
    member, _, rest = pointer.strip("/").partition("/")
    if member in ("title", "description"):
        return f"{member.capitalize()} ({rest})" if rest else member.capitalize()
    if member == "status":
        return "Status"
    return label_for(pointer)

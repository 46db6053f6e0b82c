"""The workspace's record forms: create and edit every record type, check FAIR as you go.

- ``GET /workspace/new``: the record types to choose from;
- ``GET /workspace/new/{type}``, ``POST`` it: a new record of that type;
- ``GET /workspace/records/{id}/edit``, ``POST`` it: the stored record in its form; the
  form carries the record's ETag, and a save sends it as ``If-Match``;
- ``POST /workspace/records/assess``: the FAIR assessment of what a form holds, unsaved, as an
  HTML fragment (the form's script asks as the steward edits).

A form post names its ``action``: ``save`` or ``publish`` (through the records service, as the
API saves), ``assess`` (the form again with its assessment), ``add:<path>`` and
``remove:<path>`` (a row more or less, so that repeated groups work without JavaScript), and
``edit`` (back to the form from the conflict page, with the stored version's ETag). A refused
save shows the form again with every problem at its field and a summary linking to them; a
stale one shows the conflict page.
"""

from __future__ import annotations

from typing import Annotated, Any

from converge_common.app import SessionDep
from converge_common.workspace import SignedInSteward, StewardForm, WorkspaceUser, render_page
from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from converge_metadata.dependencies import NodeDep, VocabDep
from converge_metadata.models import Record
from converge_metadata.publishing.context import ContextDep, PublicationContext
from converge_metadata.records import service
from converge_metadata.records.indexing import display_title
from converge_metadata.records.schemas import RECORD_TYPES, RecordBase, RecordType
from converge_metadata.terms.index import TermIndex
from converge_metadata.vocab import Vocabularies
from converge_metadata.workspace.form_fields import (
    ID_FIELD,
    TEXT_FIELDS,
    field_id,
    label_for,
    parts_for,
)
from converge_metadata.workspace.forms import MAX_FIELDS, FormState, state_from_form
from converge_metadata.workspace.record_forms import (
    STEWARD,
    Assessment,
    Refused,
    Saved,
    Stale,
    assess_state,
    record_document,
    save_form,
    side_by_side,
    state_of,
)

__all__ = ["router"]

router = APIRouter(
    prefix="/workspace", include_in_schema=False, default_response_class=HTMLResponse
)

RecordId = Annotated[str, Path(min_length=1, max_length=100)]
_NOTICES = {
    "saved": "Saved.",
    "created": "Created as a draft.",
    "published": "Published: the record is now in the catalogue for everyone its access allows.",
}


def _index(request: Request) -> TermIndex:
    index: TermIndex = request.app.state.terms
    return index


def _edit_url(record_id: str) -> str:
    return f"/workspace/records/{record_id}/edit"


def _etag(record: Record) -> str:
    return service.etag_of(record)


def _render_form(
    request: Request,
    user: WorkspaceUser,
    state: FormState,
    *,
    vocab: Vocabularies,
    record: Record | None,
    status: str,
    etag: str | None,
    refused: Refused | None = None,
    assessment: Assessment | None = None,
    notice: str | None = None,
    conflict_note: str | None = None,
) -> HTMLResponse:
    record_id = record.local_id if record is not None else None
    heading = None  # the template names a new record's type
    if record is not None:
        heading = "Edit: " + display_title(RecordBase.model_validate(record.document))
    return render_page(
        request,
        user,
        "record_form.html",
        {
            "heading": heading,
            "state": state,
            "record_id": record_id,
            "status": status,
            "etag": etag,
            "action_url": _edit_url(record_id)
            if record_id
            else f"/workspace/new/{state.record_type}",
            "assess_url": "/workspace/records/assess",
            "parts": parts_for(state.record_type),
            "errors": refused.by_path() if refused else {},
            "problems": refused.problems if refused else [],
            "assessment": assessment,
            "notice": notice,
            "conflict_note": conflict_note,
            "field_id": field_id,
            "label_for": label_for,
            "text_fields": TEXT_FIELDS,
            "id_field": ID_FIELD,
            "duo_terms": sorted(vocab.duo.terms.values(), key=lambda t: t.curie),
            "licences": [x for x in vocab.spdx.licences.values() if not x.deprecated],
        },
        status=422 if refused else 200,
    )


_TYPES = (
    ("Dataset", "data, with its organisms, distributions and access conditions"),
    ("Software", "a tool or service, with its EDAM operations and formats"),
    ("TrainingMaterial", "material to learn from, with its audience and outcomes"),
    ("CourseInstance", "a course on given dates, online or at a place"),
)


@router.get("/new")
async def choose_record_type(request: Request, user: SignedInSteward) -> HTMLResponse:
    """Which type of record to create."""
    return render_page(request, user, "record_form_new.html", {"types": _TYPES})


@router.get("/new/{record_type}")
async def new_record(
    request: Request, record_type: RecordType, user: SignedInSteward, vocab: VocabDep
) -> HTMLResponse:
    """An empty form for a record of ``record_type``."""
    state = FormState(record_type, values={"/texts/0/lang": ["en"]})
    return _render_form(request, user, state, vocab=vocab, record=None, status="draft", etag=None)


@router.get("/records/{record_id}/edit")
async def edit_record(
    request: Request,
    record_id: RecordId,
    user: SignedInSteward,
    session: SessionDep,
    vocab: VocabDep,
    saved: str | None = None,
) -> HTMLResponse:
    """The stored record in its form, with the ETag a save sends back."""
    record = await service.read_record(session, record_id, viewer=STEWARD)
    return _render_form(
        request,
        user,
        state_of(record),
        vocab=vocab,
        record=record,
        status=record.status,
        etag=_etag(record),
        notice=_NOTICES.get(saved or ""),
    )


@router.post("/new/{record_type}")
async def create_from_form(
    request: Request,
    record_type: RecordType,
    user: StewardForm,
    session: SessionDep,
    vocab: VocabDep,
    node: NodeDep,
    context: ContextDep,
) -> Response:
    """Save a new record (``save``: a draft; ``publish``) or redraw its form."""
    return await _post(
        request, user, session, vocab, node, context, record=None, record_type=record_type
    )


@router.post("/records/{record_id}/edit")
async def save_from_form(
    request: Request,
    record_id: RecordId,
    user: StewardForm,
    session: SessionDep,
    vocab: VocabDep,
    node: NodeDep,
    context: ContextDep,
) -> Response:
    """Save the record (``If-Match``: the ETag the form carries) or redraw its form."""
    record = await service.read_record(session, record_id, viewer=STEWARD)
    return await _post(
        request, user, session, vocab, node, context, record=record, record_type=record.type
    )


async def _post(
    request: Request,
    user: WorkspaceUser,
    session: SessionDep,
    vocab: Vocabularies,
    node: str,
    context: PublicationContext,
    *,
    record: Record | None,
    record_type: str,
) -> Response:
    form = await request.form(max_fields=MAX_FIELDS)
    fields = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    state = state_from_form(record_type, fields)
    action = str(form.get("action") or "save")
    etag = str(form.get("etag") or "")
    status = record.status if record is not None else "draft"
    index = _index(request)

    def redraw(**extra: Any) -> HTMLResponse:
        return _render_form(
            request,
            user,
            state,
            vocab=vocab,
            record=record,
            status=status,
            etag=etag or None,
            **extra,
        )

    def assessed() -> Assessment:
        return assess_state(
            state,
            record_id=record.local_id if record else None,
            status=status,
            vocab=vocab,
            index=index,
            context=context,
        )

    if action.startswith("add:"):
        state.add_row(action[4:])
        return redraw()
    if action.startswith("remove:"):
        state.remove_row(action[7:])
        return redraw()
    if action == "assess":
        return redraw(assessment=assessed())
    if action == "edit":
        return redraw(
            conflict_note="The stored record changed since you started: what you save now "
            "replaces it. The conflict page showed what differs.",
        )
    if action not in ("save", "publish"):
        return redraw()
    outcome = await save_form(
        session,
        state,
        record_id=record.local_id if record else None,
        etag=etag,
        status="published" if action == "publish" else status,
        actor=user.subject,
        actor_name=user.name,
        node=node,
        vocab=vocab,
        index=index,
    )
    if isinstance(outcome, Saved):
        done = "published" if action == "publish" else "saved" if record else "created"
        url = f"{_edit_url(outcome.record.local_id)}?saved={done}"
        return RedirectResponse(url, status_code=303)
    if isinstance(outcome, Refused):
        return redraw(refused=outcome, assessment=assessed())
    return _conflict(request, user, state, outcome, action=action)


def _conflict(
    request: Request, user: WorkspaceUser, state: FormState, stale: Stale, *, action: str
) -> HTMLResponse:
    stored = stale.stored
    rows = side_by_side(stale.mine, record_document(stored))
    return render_page(
        request,
        user,
        "conflict.html",
        {
            "rows": rows,
            "differing": sum(row.differs for row in rows),
            "carried": state.pairs(),
            "record_type": stored.type,
            "status": stored.status,
            "etag": _etag(stored),
            "save_action": "publish" if action == "publish" else "save",
            "action_url": _edit_url(stored.local_id),
            "stored_url": _edit_url(stored.local_id),
            "stored_version": stored.version,
            "stored_by": stored.modified_by,
            "stored_at": stored.modified_at.strftime("%Y-%m-%d %H:%M UTC"),
        },
        status=409,
    )


@router.post("/records/assess")
async def assess_form(
    request: Request, user: StewardForm, vocab: VocabDep, context: ContextDep
) -> HTMLResponse:
    """The FAIR assessment of a form's unsaved content, as an HTML fragment."""
    form = await request.form(max_fields=MAX_FIELDS)
    fields = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    record_type = str(form.get("record_type") or "Dataset")
    if record_type not in RECORD_TYPES:
        record_type = "Dataset"
    status = "published" if form.get("record_status") == "published" else "draft"
    assessment = assess_state(
        state_from_form(record_type, fields),
        record_id=None,
        status=status,
        vocab=vocab,
        index=_index(request),
        context=context,
    )
    return render_page(request, user, "record_form_assessment.html", {"assessment": assessment})

"""A record's history in the workspace: every version with who and when, what changed between
any two, and restoring one (a new version, guarded by the ETag the page was drawn with)."""

from __future__ import annotations

from typing import Annotated, Any

from converge_common.app import SessionDep
from converge_common.errors import FieldError, InvalidInput, ProblemError
from converge_common.inputs import INT32_MAX
from converge_common.workspace import SignedInSteward, StewardForm, WorkspaceUser, render_page
from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from converge_metadata.dependencies import VocabDep
from converge_metadata.models import Record, RecordVersion
from converge_metadata.records import history as records_history
from converge_metadata.records import service as records_service
from converge_metadata.records.diff import Change
from converge_metadata.records.exceptions import EtagMismatch, EtagRequired

__all__ = ["router"]

router = APIRouter(
    prefix="/workspace/records", include_in_schema=False, default_response_class=HTMLResponse
)

RecordId = Annotated[str, Path(min_length=1, max_length=100)]
Version = Annotated[int, Path(ge=1, le=INT32_MAX)]
# members whose values are language maps: their keys are language tags, not fields
_TEXTS = frozenset({"title", "description"})
_LABELS = {
    "doi": "DOI",
    "orcid": "ORCID iD",
    "url": "URL",
    "uri": "IRI",
    "dac": "Data access committee",
    "duo": "DUO terms",
    "edam": "EDAM",
}


def _title(record: Record) -> tuple[str, str]:
    """The record's title to show (English where it has one) and its language."""
    title = record.document.get("title") or {}
    if isinstance(title, dict) and title:
        code = "en" if title.get("en") else next(iter(title))
        return str(title[code]), str(code)
    return record.local_id, ""


def _who(version: RecordVersion) -> str:
    return version.actor_name or version.actor


def _field(name: str) -> str:
    return _LABELS.get(name, name.replace("_", " ").capitalize())


def where(change: Change) -> str:
    """A change's place for people: ``Title (de)``, ``Creators 2: ORCID iD``."""
    text = ""
    parent: str | int | None = None
    for step in change.path:
        if isinstance(step, int):
            text += f" {step}"
        elif parent in _TEXTS:
            text += f" ({step})"
        else:
            text += (": " if text else "") + _field(step)
        parent = step
    return text or "Record"


def _problem_page(
    request: Request, user: WorkspaceUser, problem: ProblemError, *, record_id: str
) -> HTMLResponse:
    return render_page(
        request,
        user,
        "history_problem.html",
        {"problem": problem, "record_id": record_id},
        status=problem.status,
    )


@router.get("/{record_id}/history")
async def history_page(
    record_id: RecordId, request: Request, user: SignedInSteward, session: SessionDep
) -> HTMLResponse:
    try:
        found = await records_history.history(session, record_id)
    except ProblemError as problem:
        return _problem_page(request, user, problem, record_id=record_id)
    restored = request.query_params.get("restored")
    context: dict[str, Any] = {
        "record": found.record,
        "title": _title(found.record)[0],
        "title_lang": _title(found.record)[1],
        "versions": found.versions,
        "who": _who,
        "etag": records_service.etag_of(found.record),
        "restored": int(restored) if restored and restored.isdigit() else None,
        "unchanged": request.query_params.get("unchanged") is not None,
    }
    return render_page(request, user, "history.html", context)


def _version_number(value: str | None, name: str, errors: list[FieldError]) -> int:
    if value is not None and value.isdigit() and 1 <= int(value) <= INT32_MAX:
        return int(value)
    errors.append(FieldError(f"/{name}", "version", "a version number of this record, from 1"))
    return 0


@router.get("/{record_id}/history/diff")
async def diff_page(
    record_id: RecordId, request: Request, user: SignedInSteward, session: SessionDep
) -> HTMLResponse:
    """``?from=&to=``: what changed from one version to another."""
    errors: list[FieldError] = []
    first = _version_number(request.query_params.get("from"), "from", errors)
    second = _version_number(request.query_params.get("to"), "to", errors)
    try:
        if errors:
            raise InvalidInput("Choose two versions to compare", errors=errors)
        comparison = await records_history.compare(session, record_id, first, second)
    except ProblemError as problem:
        return _problem_page(request, user, problem, record_id=record_id)
    context = {
        "comparison": comparison,
        "record": comparison.record,
        "title": _title(comparison.record)[0],
        "title_lang": _title(comparison.record)[1],
        "who": _who,
        "where": where,
    }
    return render_page(request, user, "diff.html", context)


@router.post("/{record_id}/history/{version}/restore")
async def restore(
    record_id: RecordId,
    version: Version,
    request: Request,
    user: StewardForm,
    session: SessionDep,
    vocab: VocabDep,
) -> Response:
    """Make ``version`` current again, if the record is still as the page showed it."""
    form = await request.form()
    etag = form.get("etag")
    try:
        record = await records_service.restore_version(
            session,
            record_id,
            version,
            if_match=etag if isinstance(etag, str) and etag else None,
            actor=user.subject,
            vocab=vocab,
            actor_name=user.name,
        )
    except (EtagMismatch, EtagRequired) as problem:
        return render_page(
            request,
            user,
            "history_conflict.html",
            {"record_id": record_id, "version": version, "problem": problem},
            status=409,
        )
    except ProblemError as problem:
        return _problem_page(request, user, problem, record_id=record_id)
    target = f"/workspace/records/{record_id}/history"
    if records_service.etag_of(record) == etag:
        # the version's content is the current content: nothing was written
        return RedirectResponse(f"{target}?unchanged={version}", status_code=303)
    return RedirectResponse(f"{target}?restored={version}", status_code=303)

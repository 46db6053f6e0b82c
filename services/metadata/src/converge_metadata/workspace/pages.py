"""The catalogue pages of the workspace: the dashboard, the records list and a record's page
(with its Publish button)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from converge_common.app import SessionDep
from converge_common.errors import FieldError, InvalidInput, ProblemError
from converge_common.web import url_with
from converge_common.workspace import SignedInSteward, StewardForm, WorkspaceUser, render_page
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from converge_metadata.dependencies import NodeDep, VocabDep
from converge_metadata.publishing.context import ContextDep, PublicationContext
from converge_metadata.records.exceptions import EtagMismatch, EtagRequired
from converge_metadata.search import service as search_service
from converge_metadata.settings import MetadataSettings
from converge_metadata.workspace import record_view, service
from converge_metadata.workspace.editing import RecordId
from converge_metadata.workspace.service import ACCESS_LEVELS, STATUSES, TYPES

__all__ = ["router"]

router = APIRouter(
    prefix="/workspace", include_in_schema=False, default_response_class=HTMLResponse
)

MAX_PARAMS = 60


def _params(request: Request) -> list[tuple[str, str]]:
    return request.query_params.multi_items()[:MAX_PARAMS]


def _languages(request: Request) -> list[str]:
    # the interface is English for now; a record's title in English where it has one
    return ["en"]


@router.get("/")
async def dashboard(
    request: Request, user: SignedInSteward, session: SessionDep, context: ContextDep
) -> HTMLResponse:
    days, errors = service.check_days(request.query_params.get("days"))
    view = await service.dashboard(
        session,
        context=context,
        today=datetime.now(UTC).date(),
        days=days,
        languages=_languages(request),
    )
    return render_page(
        request,
        user,
        "dashboard.html",
        {"view": view, "errors": errors},
        status=422 if errors else 200,
    )


@router.get("/records")
async def records(
    request: Request,
    user: SignedInSteward,
    session: SessionDep,
    node: NodeDep,
    vocab: VocabDep,
) -> HTMLResponse:
    params = _params(request)
    query, errors = service.parse_records_query(params)
    view: service.RecordsView | None = None
    detail = None
    status = 422 if errors else 200
    if not errors:
        try:
            view = await service.records_page(
                session,
                query,
                node=node,
                today=datetime.now(UTC).date(),
                codec=search_service.search_tokens(
                    _settings(request).secret_key.get_secret_value()
                ),
                vocab=vocab,
                languages=_languages(request),
            )
        except ProblemError as problem:
            # a query the search language refuses, a cursor of another list
            detail = problem.detail
            errors = problem.errors or [FieldError("/q", problem.slug, problem.detail)]
            status = problem.status
    path = request.url.path
    kept = [(k, v) for k, v in params if k != "cursor"]
    context: dict[str, Any] = {
        "query": query,
        "view": view,
        "errors": errors,
        "detail": detail,
        "types": TYPES,
        "statuses": STATUSES,
        "access_levels": ACCESS_LEVELS,
        "pages": {
            "next_url": url_with(path, kept, add=[("cursor", view.next_cursor)])
            if view and view.next_cursor
            else None,
            "first_url": url_with(path, kept) if query.cursor else None,
        },
    }
    return render_page(request, user, "records.html", context, status=status)


_DONE = {
    "published": "Published: the record is now in the catalogue for everyone its access allows."
}


async def _record_page(
    request: Request,
    user: WorkspaceUser,
    session: SessionDep,
    context: PublicationContext,
    record_id: str,
    *,
    notice: str | None = None,
    refusal: ProblemError | None = None,
) -> HTMLResponse:
    view = await record_view.read_view(session, record_id, context=context, now=datetime.now(UTC))
    return render_page(
        request,
        user,
        "record.html",
        {"view": view, "notice": notice, "refusal": refusal},
        status=refusal.status if refusal else 200,
    )


@router.get("/records/{record_id}")
async def record_page(
    request: Request,
    record_id: RecordId,
    user: SignedInSteward,
    session: SessionDep,
    context: ContextDep,
) -> HTMLResponse:
    """The record as the Node's stewards see it, its FAIR assessment and what to do next."""
    notice = _DONE.get(request.query_params.get("done", ""))
    return await _record_page(request, user, session, context, record_id, notice=notice)


@router.post("/records/{record_id}/publish")
async def publish_record(
    request: Request,
    record_id: RecordId,
    user: StewardForm,
    session: SessionDep,
    context: ContextDep,
    node: NodeDep,
    vocab: VocabDep,
) -> Response:
    """Publish the draft the page showed: the form's ETag is sent as ``If-Match``."""
    form = await request.form(max_fields=10)
    etag = form.get("etag")
    try:
        await record_view.publish(
            session,
            record_id,
            etag=etag if isinstance(etag, str) else None,
            actor=user.subject,
            actor_name=user.name,
            node=node,
            vocab=vocab,
        )
    except (EtagMismatch, EtagRequired, InvalidInput) as refusal:
        # nothing was written: the page as the record is now, saying why
        return await _record_page(request, user, session, context, record_id, refusal=refusal)
    return RedirectResponse(f"/workspace/records/{record_id}?done=published", status_code=303)


def _settings(request: Request) -> MetadataSettings:
    settings: MetadataSettings = request.app.state.settings
    return settings

"""``/api/v1/records``: create, read, replace, patch, delete, list, versions and restore."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from converge_common.app import SessionDep
from converge_common.auth import RequireNodeSteward
from converge_common.errors import UnsupportedMediaType
from converge_common.inputs import INT32_MAX
from converge_common.openapi import problem_responses
from converge_common.pagination import Page, PageRequest, SortField, keyset_page
from fastapi import APIRouter, Body, Depends, Header, Path, Query, Request, Response, status

from converge_metadata.access import Viewer
from converge_metadata.dependencies import NodeDep, ViewerDep, VocabDep, actor_name
from converge_metadata.models import Record
from converge_metadata.publishing.context import ContextDep, PublicationContext
from converge_metadata.publishing.representations import negotiated_record
from converge_metadata.records import repository, service
from converge_metadata.records.schemas import (
    RecordCreate,
    RecordMergePatch,
    RecordRead,
    RecordReplace,
    RecordStatus,
    RecordType,
    VersionDetail,
    VersionRead,
    documented_as,
)
from converge_metadata.records.views import record_read, version_detail, version_read
from converge_metadata.usage.recorder import Channel, RecorderDep

__all__ = ["router"]

router = APIRouter(prefix="/records", tags=["records"])

Version = Annotated[int, Path(ge=1, le=INT32_MAX, description="A version number, from 1")]
IfMatch = Annotated[str | None, Header(description="The record's ETag, from a GET")]
MERGE_PATCH = "application/merge-patch+json"
# bodies the service checks itself, so that every problem comes back in one answer
CreateBody = Annotated[dict[str, Any], documented_as(RecordCreate), Body()]
ReplaceBody = Annotated[dict[str, Any], documented_as(RecordReplace), Body()]
PatchBody = Annotated[dict[str, Any], documented_as(RecordMergePatch), Body(media_type=MERGE_PATCH)]
_SORTS = [
    SortField("modified_at", Record.modified_at),
    SortField("title", Record.sort_title),
    SortField("created_at", Record.created_at),
]


# the usage channel of each representation content negotiation can answer with
_CHANNELS: dict[str, Channel] = {
    "application/ld+json": "jsonld",
    "application/vnd.datacite.datacite+xml": "datacite",
    "text/turtle": "rdf",
    "application/rdf+xml": "rdf",
}


def _with_etag(response: Response, record: Record) -> None:
    response.headers["ETag"] = service.etag_of(record)


def _merge_patch_only(request: Request, _: RequireNodeSteward) -> None:
    # after authorisation: a caller who may not write learns nothing about the body
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != MERGE_PATCH:
        raise UnsupportedMediaType(
            f"Send a JSON Merge Patch as {MERGE_PATCH}, not {media or 'nothing'}"
        )


def _read(record: Record, node: str, viewer: Viewer, context: PublicationContext) -> RecordRead:
    return record_read(
        record, node, viewer=viewer, request_access_url=context.record_url(record.local_id)
    )


# a write answers its writer, a steward (only the clearance matters for what is shown)
_WRITER = Viewer(steward=True, today=date.min)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model_exclude_none=True,
    responses=problem_responses(409, _409="A record with this id exists"),
)
async def create_record(
    payload: CreateBody,
    session: SessionDep,
    principal: RequireNodeSteward,
    vocab: VocabDep,
    node: NodeDep,
    context: ContextDep,
    request: Request,
    response: Response,
) -> RecordRead:
    """Create a record (a draft unless ``status`` is ``published``). Needs the Node steward role.
    Every problem with the body is reported in one answer."""
    record = await service.create_record(
        session, payload, actor=principal.subject, vocab=vocab, actor_name=actor_name(principal)
    )
    _with_etag(response, record)
    response.headers["Location"] = str(request.url_for("read_record", record_id=record.local_id))
    return _read(record, node, _WRITER, context)


@router.get("", response_model_exclude_none=True)
async def list_records(
    session: SessionDep,
    viewer: ViewerDep,
    node: NodeDep,
    context: ContextDep,
    request: Request,
    type: Annotated[list[RecordType] | None, Query()] = None,
    status: Annotated[list[RecordStatus] | None, Query(description="Stewards only")] = None,
    modified_since: datetime | None = None,
    sort: str | None = Query(default=None, description="modified_at, title, created_at; -desc"),
    limit: Annotated[int | None, Query(ge=1, le=INT32_MAX)] = None,
    cursor: str | None = None,
) -> Page[RecordRead]:
    """Records anyone may read (stewards also see drafts and running embargoes)."""
    settings = request.app.state.settings
    page = PageRequest.parse(
        limit=limit,
        cursor=cursor,
        sort=sort,
        allowed=[s.name for s in _SORTS],
        default_sort="-modified_at",
        default_limit=settings.page_size_default,
        max_limit=settings.page_size_max,
    )
    stmt = repository.records_query(
        include_drafts=viewer.steward,
        today=viewer.today,
        types=type or (),
        statuses=status or () if viewer.steward else (),
        modified_since=modified_since,
    )
    rows, next_cursor = await keyset_page(
        session,
        stmt,
        request=page,
        sort_fields=_SORTS,
        tiebreak=Record.pk,
        codec=request.app.state.keyset_tokens,
    )
    items = [_read(r, node, viewer, context) for r in rows]
    return Page[RecordRead](items=items, next_cursor=next_cursor, limit=page.limit)


@router.get(
    "/{record_id}",
    response_model=RecordRead,
    response_model_exclude_none=True,
    responses=problem_responses(
        406, 410, _406="No representation asked for (`format` or `Accept`) is served"
    ),
)
async def read_record(
    record_id: str,
    session: SessionDep,
    viewer: ViewerDep,
    node: NodeDep,
    context: ContextDep,
    response: Response,
    request: Request,
    recorder: RecorderDep,
    format: Annotated[
        str | None,
        Query(
            alias="format",
            description="json, jsonld, datacite, ttl or rdf, or a media type (overrides Accept)",
        ),
    ] = None,
) -> RecordRead | Response:
    """One record. A deleted record answers 410 with its tombstone. ``?format=`` or ``Accept``
    may ask for Bioschemas JSON-LD, DataCite XML (``application/vnd.datacite.datacite+xml``)
    or DCAT RDF (Turtle, RDF/XML)."""
    record = await service.read_record(session, record_id, viewer=viewer)
    _with_etag(response, record)
    # what a record shows depends on who asks (drafts, a controlled record's distributions)
    response.headers["Vary"] = "Authorization"
    read = _read(record, node, viewer, context)
    negotiated = negotiated_record(request, read, format_param=format, response=response)
    channel = _CHANNELS.get(negotiated.media_type or "", "api") if negotiated else "api"
    recorder.record(request, record_id=record.local_id, channel=channel, version=record.version)
    return negotiated or read


_WRITE_PROBLEMS = problem_responses(
    409, 410, 412, 428, _409="A published record cannot return to draft"
)


@router.put("/{record_id}", response_model_exclude_none=True, responses=_WRITE_PROBLEMS)
async def update_record(
    record_id: str,
    payload: ReplaceBody,
    session: SessionDep,
    principal: RequireNodeSteward,
    vocab: VocabDep,
    node: NodeDep,
    context: ContextDep,
    response: Response,
    if_match: IfMatch = None,
) -> RecordRead:
    """Replace a record's content as a new version. ``If-Match`` is required (412 when stale).
    The body a GET returned may be sent back: its read-only fields are ignored when unchanged
    and refused (rule ``read_only``) when changed. Every problem is reported in one answer."""
    record = await service.update_record(
        session,
        record_id,
        payload,
        node=node,
        if_match=if_match,
        actor=principal.subject,
        vocab=vocab,
        actor_name=actor_name(principal),
    )
    _with_etag(response, record)
    return _read(record, node, _WRITER, context)


@router.patch(
    "/{record_id}",
    response_model_exclude_none=True,
    dependencies=[Depends(_merge_patch_only)],
    responses={**_WRITE_PROBLEMS, **problem_responses(415)},
)
async def patch_record(
    record_id: str,
    payload: PatchBody,
    session: SessionDep,
    principal: RequireNodeSteward,
    vocab: VocabDep,
    node: NodeDep,
    context: ContextDep,
    response: Response,
    if_match: IfMatch = None,
) -> RecordRead:
    """Change some of a record's fields with a JSON Merge Patch (RFC 7396, sent as
    ``application/merge-patch+json``) applied to the record as a GET shows it: ``null``
    removes a field, objects merge, arrays replace. The result is checked and stored as a
    ``PUT`` of it would be. ``If-Match`` is required (412 when stale)."""
    record = await service.patch_record(
        session,
        record_id,
        payload,
        node=node,
        if_match=if_match,
        actor=principal.subject,
        vocab=vocab,
        actor_name=actor_name(principal),
    )
    _with_etag(response, record)
    return _read(record, node, _WRITER, context)


@router.delete(
    "/{record_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(412, 428),
)
async def delete_record(
    record_id: str, session: SessionDep, principal: RequireNodeSteward, if_match: IfMatch = None
) -> Response:
    """Delete a record, leaving a tombstone that harvesters see. ``If-Match`` is required."""
    await service.delete_record(
        session,
        record_id,
        if_match=if_match,
        actor=principal.subject,
        actor_name=actor_name(principal),
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{record_id}/versions")
async def list_versions(
    record_id: str, session: SessionDep, viewer: ViewerDep
) -> Page[VersionRead]:
    """Every version of a record, newest first, with who made it and when (for everyone but
    the Node's stewards: only the versions whose content is public)."""
    versions = await service.list_versions(session, record_id, viewer=viewer)
    items = [version_read(v, viewer=viewer) for v in versions]
    return Page[VersionRead](items=items, limit=len(items), total=len(items))


@router.get("/{record_id}/versions/{version}", response_model_exclude_none=True)
async def read_version(
    record_id: str, version: Version, session: SessionDep, viewer: ViewerDep, context: ContextDep
) -> VersionDetail:
    """A record's content as of one version (``record`` is null for a deletion). Stewards read
    every version; everyone else only the versions that are public (others are 404)."""
    found = await service.get_version(session, record_id, version, viewer=viewer)
    return version_detail(found, viewer=viewer, request_access_url=context.record_url(record_id))


@router.post(
    "/{record_id}/versions/{version}/restore",
    response_model_exclude_none=True,
    responses=problem_responses(409, 412, 428, _409="This version cannot be restored"),
)
async def restore_version(
    record_id: str,
    version: Version,
    session: SessionDep,
    principal: RequireNodeSteward,
    vocab: VocabDep,
    node: NodeDep,
    context: ContextDep,
    response: Response,
    if_match: IfMatch = None,
) -> RecordRead:
    """Make an earlier version current again (a new version). Revives a deleted record."""
    record = await service.restore_version(
        session,
        record_id,
        version,
        if_match=if_match,
        actor=principal.subject,
        vocab=vocab,
        actor_name=actor_name(principal),
    )
    _with_etag(response, record)
    return _read(record, node, _WRITER, context)

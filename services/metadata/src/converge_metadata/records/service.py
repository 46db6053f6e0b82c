"""Record rules: create, read, replace, delete, versions and restore, batch upsert."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from converge_common.errors import Conflict, FieldError, field_errors_from_pydantic
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from converge_metadata.access import Viewer, version_is_public, visible_to
from converge_metadata.models import Record, RecordVersion
from converge_metadata.records import repository
from converge_metadata.records.editing import (
    READ_ONLY_FIELDS,
    check_depth,
    invalid,
    merge_patch,
    read_only_errors,
    validated_content,
)
from converge_metadata.records.exceptions import (
    EtagMismatch,
    EtagRequired,
    RecordDeleted,
    RecordExists,
    RecordNotFound,
    VersionNotFound,
    VersionNotRestorable,
)
from converge_metadata.records.fields import LocalId
from converge_metadata.records.planning import new_local_id, plan, plan_prepared, prepare
from converge_metadata.records.schemas import RecordBase, RecordRead
from converge_metadata.records.validation import normalise_record
from converge_metadata.records.views import record_read
from converge_metadata.records.writes import store_planned
from converge_metadata.vocab import Vocabularies

__all__ = [
    "Viewer",
    "create_record",
    "delete_record",
    "etag_of",
    "get_version",
    "list_versions",
    "patch_record",
    "read_record",
    "restore_version",
    "update_record",
]


def etag_of(record: Record) -> str:
    return f'"{record.local_id}.v{record.version}"'


def _now() -> datetime:
    return datetime.now(UTC)


# a writer is a steward: what a GET shows them is the whole record
_WRITER = Viewer(steward=True, today=date.min)
_LOCAL_ID = TypeAdapter(LocalId)


def _normalised(record: RecordBase, vocab: Vocabularies) -> None:
    errors = normalise_record(record, vocab)
    if errors:
        raise invalid(errors)


def _check_etag(record: Record, if_match: str | None) -> None:
    if if_match is None:
        raise EtagRequired("Send If-Match with the record's ETag to change it")
    wanted = {tag.strip() for tag in if_match.split(",")}
    if etag_of(record) not in wanted and f"W/{etag_of(record)}" not in wanted:
        raise EtagMismatch(
            "The record changed since you read it; fetch it again and reapply your change",
            current_etag=etag_of(record),
        )


def _check_unpublish(record: Record, new_status: str) -> None:
    if record.published_at is not None and new_status == "draft":
        raise Conflict(
            "A published record cannot return to draft; harvesters have seen it. Delete it "
            "instead, which leaves a tombstone.",
            errors=[FieldError("/status", "unpublish", "published records stay published")],
        )


async def _load(session: AsyncSession, local_id: str, *, allow_deleted: bool = False) -> Record:
    record = await repository.get_record(session, local_id)
    if record is None:
        raise RecordNotFound(f"No record {local_id!r}")
    if record.deleted_at is not None and not allow_deleted:
        raise RecordDeleted(
            f"Record {local_id!r} was deleted",
            deleted_at=record.deleted_at.isoformat(),
            version=record.version,
        )
    return record


async def create_record(
    session: AsyncSession,
    body: dict[str, Any],
    *,
    actor: str,
    vocab: Vocabularies,
    actor_name: str | None = None,
) -> Record:
    """A new record from ``body`` (content and an optional ``id``), every problem in one answer."""
    check_depth(body)
    errors: list[FieldError] = []
    local_id: str | None = None
    if body.get("id") is not None:
        try:
            local_id = _LOCAL_ID.validate_python(body["id"])
        except ValidationError as exc:
            errors = [
                FieldError("/id", e["rule"], e["detail"])
                for e in field_errors_from_pydantic(exc.errors())
            ]
    content = validated_content({k: v for k, v in body.items() if k != "id"}, vocab, errors=errors)
    local_id = local_id or new_local_id()
    if await repository.get_record(session, local_id) is not None:
        raise RecordExists(
            f"Record {local_id!r} already exists (or was deleted: restore a version instead)",
            errors=[FieldError("/id", "unique", "this id is taken")],
        )
    planned = plan(
        content,
        local_id=local_id,
        existing=None,
        actor=actor,
        now=_now(),
        action="create",
        vocab=vocab,
        actor_name=actor_name,
    )
    await store_planned(session, [planned], existing={})
    return await _load(session, local_id)


async def _readable(
    session: AsyncSession, local_id: str, *, viewer: Viewer, allow_deleted: bool
) -> Record:
    record = await repository.get_record(session, local_id)
    if record is None:
        raise RecordNotFound(f"No record {local_id!r}")
    if record.deleted_at is None:
        if not visible_to(record, viewer):
            raise RecordNotFound(f"No record {local_id!r}")
        return record
    # a deleted draft was never public: only stewards learn it existed
    if record.published_at is None and not viewer.steward:
        raise RecordNotFound(f"No record {local_id!r}")
    if allow_deleted:
        return record
    return await _load(session, local_id)


async def read_record(session: AsyncSession, local_id: str, *, viewer: Viewer) -> Record:
    """A record the viewer may see; a tombstone raises ``RecordDeleted`` (410)."""
    return await _readable(session, local_id, viewer=viewer, allow_deleted=False)


async def _replace(
    session: AsyncSession,
    record: Record,
    content: RecordBase,
    *,
    actor: str,
    action: str,
    vocab: Vocabularies,
    actor_name: str | None,
) -> Record:
    prepared = prepare(content, local_id=record.local_id, vocab=vocab)
    if record.deleted_at is None and prepared.content_hash == record.content_hash:
        return record
    planned = plan_prepared(
        prepared, existing=record, actor=actor, now=_now(), action=action, actor_name=actor_name
    )
    await store_planned(session, [planned], existing={record.local_id: record}, cas=True)
    await session.refresh(record)
    return record


def _shown(record: Record, node: str) -> RecordRead:
    return record_read(record, node, viewer=_WRITER, request_access_url="")


async def _replace_with_body(
    session: AsyncSession,
    record: Record,
    body: dict[str, Any],
    *,
    node: str,
    actor: str,
    vocab: Vocabularies,
    actor_name: str | None,
) -> Record:
    errors = read_only_errors(body, _shown(record, node))
    document = {k: v for k, v in body.items() if k not in READ_ONLY_FIELDS}
    content = validated_content(document, vocab, errors=errors)
    _check_unpublish(record, content.status)
    return await _replace(
        session,
        record,
        content,
        actor=actor,
        action="update",
        vocab=vocab,
        actor_name=actor_name,
    )


async def update_record(
    session: AsyncSession,
    local_id: str,
    body: dict[str, Any],
    *,
    node: str,
    if_match: str | None,
    actor: str,
    vocab: Vocabularies,
    actor_name: str | None = None,
) -> Record:
    """Replace a record's content with ``body``, as a new version. ``body`` may be what a GET
    returned: its read-only fields are ignored when unchanged, refused when changed."""
    check_depth(body)
    record = await _load(session, local_id)
    _check_etag(record, if_match)
    return await _replace_with_body(
        session, record, body, node=node, actor=actor, vocab=vocab, actor_name=actor_name
    )


async def patch_record(
    session: AsyncSession,
    local_id: str,
    patch: dict[str, Any],
    *,
    node: str,
    if_match: str | None,
    actor: str,
    vocab: Vocabularies,
    actor_name: str | None = None,
) -> Record:
    """Apply a JSON Merge Patch (RFC 7396) to the record as a GET shows it; the result is
    checked and stored as a ``PUT`` of it would be."""
    check_depth(patch)
    record = await _load(session, local_id)
    _check_etag(record, if_match)
    current = _shown(record, node).model_dump(mode="json", exclude_none=True)
    body = merge_patch(current, patch)
    return await _replace_with_body(
        session, record, body, node=node, actor=actor, vocab=vocab, actor_name=actor_name
    )


async def delete_record(
    session: AsyncSession,
    local_id: str,
    *,
    if_match: str | None,
    actor: str,
    actor_name: str | None = None,
) -> Record:
    record = await _load(session, local_id)
    _check_etag(record, if_match)
    now = _now()
    values = {
        "version": record.version + 1,
        "deleted_at": now,
        "modified_at": now,
        "datestamp": now,
        "modified_by": actor,
    }
    if not await repository.update_record_if_version(session, record.pk, record.version, values):
        raise EtagMismatch("The record changed while it was being deleted")
    await repository.insert_versions(
        session,
        [
            {
                "record_pk": record.pk,
                "version": record.version + 1,
                "action": "delete",
                "actor": actor,
                "actor_name": actor_name[:255] if actor_name else None,
                "created_at": now,
                "document": None,
            }
        ],
    )
    await repository.delete_derived(session, [record.pk])
    await session.refresh(record)
    return record


def _public_history(versions: list[RecordVersion], viewer: Viewer) -> list[RecordVersion]:
    """The versions a reader who is not a steward may see, oldest first in ``versions``: those
    whose content is public today, and a deletion that ended a public state. Drafts, running
    embargoes and their authors stay with the Node's stewards."""
    shown: list[RecordVersion] = []
    previous_public = False
    for version in versions:
        public = version_is_public(version.document, viewer.today)
        if public or (version.document is None and previous_public):
            shown.append(version)
        previous_public = public
    return shown


async def _history(session: AsyncSession, record: Record, viewer: Viewer) -> list[RecordVersion]:
    versions = await repository.list_versions(session, record.pk)
    if viewer.steward:
        return versions
    return list(reversed(_public_history(list(reversed(versions)), viewer)))


async def list_versions(
    session: AsyncSession, local_id: str, *, viewer: Viewer
) -> list[RecordVersion]:
    """Newest first: every version for stewards, the public ones for everyone else."""
    record = await _readable(session, local_id, viewer=viewer, allow_deleted=True)
    return await _history(session, record, viewer)


async def get_version(
    session: AsyncSession, local_id: str, version: int, *, viewer: Viewer
) -> RecordVersion:
    """One version; a version the viewer may not see is not found (404), as one that does not
    exist, so its existence is not revealed."""
    record = await _readable(session, local_id, viewer=viewer, allow_deleted=True)
    if viewer.steward:
        found = await repository.get_version(session, record.pk, version)
    else:
        found = {v.version: v for v in await _history(session, record, viewer)}.get(version)
    if found is None:
        raise VersionNotFound(f"Record {local_id!r} has no version {version}")
    return found


async def restore_version(
    session: AsyncSession,
    local_id: str,
    version: int,
    *,
    if_match: str | None,
    actor: str,
    vocab: Vocabularies,
    actor_name: str | None = None,
) -> Record:
    """Make an earlier version's content current again, as a new version; revives a tombstone."""
    record = await _load(session, local_id, allow_deleted=True)
    _check_etag(record, if_match)
    old = await repository.get_version(session, record.pk, version)
    if old is None:
        raise VersionNotFound(f"Record {local_id!r} has no version {version}")
    if old.document is None:
        raise VersionNotRestorable(f"Version {version} is a deletion; restore another version")
    content = RecordBase.model_validate(old.document)
    _check_unpublish(record, content.status)
    _normalised(content, vocab)
    return await _replace(
        session,
        record,
        content,
        actor=actor,
        action="restore",
        vocab=vocab,
        actor_name=actor_name,
    )

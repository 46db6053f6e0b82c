"""Stored rows -> response models, as the reader may see them (``access.shown_document``)."""

from __future__ import annotations

from converge_metadata.access import Viewer, shown_document
from converge_metadata.models import Record, RecordVersion
from converge_metadata.records.schemas import RecordRead, VersionDetail, VersionRead

__all__ = ["record_read", "version_detail", "version_read"]


def record_read(
    record: Record, node: str, *, viewer: Viewer, request_access_url: str
) -> RecordRead:
    """``request_access_url``: where a reader without clearance learns how to request a
    controlled record's data (its landing page), used when its committee has no URL."""
    document = shown_document(record.document, viewer, request_access_url=request_access_url)
    return RecordRead.model_validate(
        {
            **document,
            "id": record.local_id,
            "node": node,
            "global_id": f"{node}:{record.local_id}",
            "version": record.version,
            "created_at": record.created_at,
            "modified_at": record.modified_at,
            "published_at": record.published_at,
            "deleted_at": record.deleted_at,
            "created_by": record.created_by,
            "modified_by": record.modified_by,
        }
    )


def version_read(version: RecordVersion, *, viewer: Viewer) -> VersionRead:
    """A person's name is personal data: only the Node's stewards read it."""
    return VersionRead.model_validate(
        {
            "version": version.version,
            "action": version.action,
            "actor": version.actor,
            "actor_name": version.actor_name if viewer.steward else None,
            "created_at": version.created_at,
        }
    )


def version_detail(
    version: RecordVersion, *, viewer: Viewer, request_access_url: str
) -> VersionDetail:
    document = version.document
    if document is not None:
        document = shown_document(document, viewer, request_access_url=request_access_url)
    return VersionDetail.model_validate(
        {
            "version": version.version,
            "action": version.action,
            "actor": version.actor,
            "actor_name": version.actor_name if viewer.steward else None,
            "created_at": version.created_at,
            "record": document,
        }
    )

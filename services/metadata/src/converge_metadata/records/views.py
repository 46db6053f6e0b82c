"""Stored rows -> response models."""

from __future__ import annotations

from converge_metadata.models import Record, RecordVersion
from converge_metadata.records.schemas import RecordRead, VersionDetail, VersionRead

__all__ = ["record_read", "version_detail", "version_read"]


def record_read(record: Record, node: str) -> RecordRead:
    return RecordRead.model_validate(
        {
            **record.document,
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


def version_read(version: RecordVersion) -> VersionRead:
    return VersionRead.model_validate(version, from_attributes=True)


def version_detail(version: RecordVersion) -> VersionDetail:
    return VersionDetail(
        version=version.version,
        action=version.action,
        actor=version.actor,
        created_at=version.created_at,
        record=version.document,
    )

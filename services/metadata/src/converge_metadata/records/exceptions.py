"""Typed errors of the records domain."""

from __future__ import annotations

from converge_common.errors import (
    Conflict,
    Gone,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
)

__all__ = [
    "EtagMismatch",
    "EtagRequired",
    "RecordDeleted",
    "RecordExists",
    "RecordNotFound",
    "VersionNotFound",
    "VersionNotRestorable",
]


class RecordNotFound(NotFound):
    slug = "record-not-found"


class VersionNotFound(NotFound):
    slug = "version-not-found"


class RecordDeleted(Gone):
    slug = "record-deleted"


class RecordExists(Conflict):
    slug = "record-exists"


class VersionNotRestorable(Conflict):
    slug = "version-not-restorable"


class EtagRequired(PreconditionRequired):
    slug = "if-match-required"


class EtagMismatch(PreconditionFailed):
    slug = "stale-etag"

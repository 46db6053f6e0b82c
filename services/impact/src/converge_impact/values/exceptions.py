"""Typed errors of reported values."""

from __future__ import annotations

from converge_common.errors import Conflict, PreconditionFailed, PreconditionRequired

__all__ = ["EtagMismatch", "EtagRequired", "ValueExists", "WrongState"]


class ValueExists(Conflict):
    slug = "value-exists"


class WrongState(Conflict):
    slug = "wrong-state"


class EtagRequired(PreconditionRequired):
    slug = "etag-required"


class EtagMismatch(PreconditionFailed):
    slug = "etag-mismatch"

"""Typed errors of the import domain."""

from __future__ import annotations

from converge_common.errors import ProblemError, UnsupportedMediaType

__all__ = ["ImportTooLarge", "ImportWorkerFailed", "ImportWrongMediaType"]


class ImportTooLarge(ProblemError):
    status, title, slug = 413, "Content Too Large", "import-too-large"


class ImportWrongMediaType(UnsupportedMediaType):
    slug = "import-media-type"


class ImportWorkerFailed(RuntimeError):
    """The worker process that prepares a file import stopped or raised (command line only)."""

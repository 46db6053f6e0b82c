"""Typed errors of the import domain."""

from __future__ import annotations

from converge_common.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    ProblemError,
    UnsupportedMediaType,
)

__all__ = [
    "ImportBusy",
    "ImportFormatUnknown",
    "ImportJobNotFinished",
    "ImportJobNotFound",
    "ImportTooLarge",
    "ImportWorkerFailed",
    "ImportWrongMediaType",
]


class ImportTooLarge(ProblemError):
    status, title, slug = 413, "Content Too Large", "import-too-large"


class ImportWrongMediaType(UnsupportedMediaType):
    slug = "import-media-type"


class ImportWorkerFailed(RuntimeError):
    """The worker process that prepares a file import stopped or raised (command line only)."""


class ImportBusy(Conflict):
    """As many imports run on this Node as may at once."""

    slug = "import-busy"


class ImportJobNotFound(NotFound):
    slug = "import-job-not-found"


class ImportJobNotFinished(Conflict):
    slug = "import-job-not-finished"


class ImportFormatUnknown(InvalidInput):
    """No format was named and the file's name and first bytes do not tell it."""

    slug = "import-format-unknown"

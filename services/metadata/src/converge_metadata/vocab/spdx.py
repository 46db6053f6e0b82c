"""The SPDX licence list (``data/spdx/licenses.tsv``)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SPDX_BASE", "SpdxLicence", "SpdxVocabulary"]

SPDX_BASE = "https://spdx.org/licenses/"


@dataclass(frozen=True)
class SpdxLicence:
    id: str
    name: str
    deprecated: bool
    osi_approved: bool

    @property
    def url(self) -> str:
        return SPDX_BASE + self.id


class SpdxVocabulary:
    """Licences by id; SPDX ids match case-insensitively and are stored in the list's spelling."""

    def __init__(self, licences: dict[str, SpdxLicence]) -> None:
        self.licences = licences
        self._folded = {key.lower(): value for key, value in licences.items()}

    @classmethod
    def load(cls, path: Path) -> SpdxVocabulary:
        licences: dict[str, SpdxLicence] = {}
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                licences[row["id"]] = SpdxLicence(
                    id=row["id"],
                    name=row["name"],
                    deprecated=row["deprecated"] == "true",
                    osi_approved=row["osi_approved"] == "true",
                )
        return cls(licences)

    def get(self, value: str) -> SpdxLicence | None:
        value = value.strip()
        if value.lower().startswith(SPDX_BASE):
            value = value[len(SPDX_BASE) :].removesuffix(".html")
        return self._folded.get(value.lower())

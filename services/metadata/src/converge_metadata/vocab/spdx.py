"""The SPDX licence list (``data/spdx/licenses.tsv``) and the common ways sources write a
licence that has an SPDX id (``data/spdx/variants.tsv``)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SPDX_BASE", "SpdxLicence", "SpdxVocabulary"]

SPDX_BASE = "https://spdx.org/licenses/"

_SPDX_URL = re.compile(r"^https?://(?:www\.)?spdx\.org/licenses/([^/?#]+?)(?:\.html|\.json)?/?$")
_CC_URL = re.compile(
    r"^https?://(?:www\.)?creativecommons\.org/(licenses|publicdomain)/([a-z-]+)/(\d\.\d)"
    r"(?:/([a-z]{2}))?(?:/|/(?:deed|legalcode)(?:\.[a-z-]+)?/?)?$",
    re.I,
)
_OSI_URL = re.compile(r"^https?://(?:www\.)?opensource\.org/licenses?/([^/?#]+?)(?:\.php)?/?$")
_URL_SUFFIX = re.compile(r"(?:\.en)?\.(?:html?|txt|php)$|/+$")
_BARE_URL = re.compile(r"^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/", re.I)
_NAME_NOISE = re.compile(r"[\s,()_\"'-]+")
_NAME_WORDS = re.compile(r"^the |\bversion |\b(?:public )?licen[cs]e$")


def _url_key(url: str) -> str:
    """``https://www.gnu.org/licenses/gpl-3.0.en.html`` -> ``gnu.org/licenses/gpl-3.0``."""
    key = url.strip().lower().split("#", 1)[0].split("?", 1)[0]
    key = re.sub(r"^https?://(?:www\.)?", "", key)
    while (stripped := _URL_SUFFIX.sub("", key)) != key:
        key = stripped
    return key


def _name_key(name: str) -> str:
    """``The Apache License, Version 2.0`` -> ``apache license 2.0``: case, punctuation and the
    words that sources add or leave out do not tell licences apart."""
    key = _NAME_NOISE.sub(" ", name.lower()).strip()
    while (stripped := _NAME_WORDS.sub("", key).strip()) != key:
        key = stripped
    return key


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
    """Licences by id; SPDX ids match case-insensitively and are stored in the list's spelling.

    :meth:`get` finds an id (or its spdx.org URL); :meth:`normalise` also reads the licence's
    name, its Creative Commons, OSI, GNU, Apache or Open Data Commons URL and the variants
    table, and gives ``None`` for what names no SPDX licence (``Proprietary``, ``Freeware``,
    a terms-of-use page): that is kept as a rights statement, not guessed at.
    """

    def __init__(
        self, licences: dict[str, SpdxLicence], variants: dict[str, str] | None = None
    ) -> None:
        self.licences = licences
        self._folded = {key.lower(): value for key, value in licences.items()}
        self._names: dict[str, SpdxLicence] = {}
        # a current id wins over a deprecated one of the same name (GPL-3.0-only over GPL-3.0)
        for licence in sorted(licences.values(), key=lambda item: not item.deprecated):
            self._names[_name_key(licence.name)] = licence
        self._variants: dict[str, SpdxLicence] = {}
        for variant, spdx_id in (variants or {}).items():
            target = self._folded.get(spdx_id.lower())
            if target is None:
                raise ValueError(f"variants table: {spdx_id!r} is not an SPDX id")
            key = _url_key(variant) if "/" in variant else _name_key(variant)
            self._variants[key] = target

    @classmethod
    def load(cls, path: Path, variants_path: Path | None = None) -> SpdxVocabulary:
        licences: dict[str, SpdxLicence] = {}
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                licences[row["id"]] = SpdxLicence(
                    id=row["id"],
                    name=row["name"],
                    deprecated=row["deprecated"] == "true",
                    osi_approved=row["osi_approved"] == "true",
                )
        variants: dict[str, str] = {}
        if variants_path is not None:
            with variants_path.open(encoding="utf-8", newline="") as handle:
                variants = {
                    row["variant"]: row["id"] for row in csv.DictReader(handle, delimiter="\t")
                }
        return cls(licences, variants)

    def get(self, value: str) -> SpdxLicence | None:
        value = value.strip()
        if value.lower().startswith(SPDX_BASE):
            value = value[len(SPDX_BASE) :].removesuffix(".html")
        return self._folded.get(value.lower())

    def normalise(self, value: str) -> SpdxLicence | None:
        """The SPDX licence ``value`` names (an id, a name, a URL or a common variant)."""
        value = value.strip()
        if not value:
            return None
        if _BARE_URL.match(value):  # "spdx.org/licenses/MIT": a URL without its scheme
            value = "https://" + value
        if value.lower().startswith(("http://", "https://")):
            return self._from_url(value)
        found = self._folded.get(value.lower())
        if found is None:  # "CC0 1.0", "CC BY 4.0", "Apache 2.0": the id with spaces
            found = self._folded.get(re.sub(r"[\s_]+", "-", value.lower()))
        if found is None:
            key = _name_key(value)
            found = self._names.get(key) or self._variants.get(key)
        return found

    def _from_url(self, url: str) -> SpdxLicence | None:
        if match := _SPDX_URL.match(url):
            return self.get(match.group(1))
        if match := _CC_URL.match(url):
            kind, code, version = match.group(1).lower(), match.group(2).upper(), match.group(3)
            if kind == "publicdomain":
                return self.get("CC0-1.0") if code == "ZERO" else None
            # a ported licence (.../by/3.0/de/) is its own SPDX licence when the list has it
            port = f"-{match.group(4).upper()}" if match.group(4) else ""
            return self.get(f"CC-{code}-{version}{port}")
        if (match := _OSI_URL.match(url)) and (found := self.get(match.group(1))):
            return found
        return self._variants.get(_url_key(url))

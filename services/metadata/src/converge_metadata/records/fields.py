"""Annotated field types with their syntax rules (ORCID checksum, DOI, URL, language tags, ids).

Each rule raises ``PydanticCustomError(rule, message)`` so that a failure reaches the caller as a
JSON pointer plus the rule's name (``orcid_checksum``, ``doi``, ``url``, ``language_tag``, ...).
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

__all__ = [
    "DOI",
    "LOCAL_ID_PATTERN",
    "LanguageTag",
    "LocalId",
    "NonEmptyStr",
    "Orcid",
    "Url",
    "check_url",
    "normalise_doi",
    "orcid_checksum_ok",
]

LOCAL_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,99}$"
_LANGUAGE = re.compile(
    r"^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?(-[A-Za-z0-9]{5,8})*$"
)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_ORCID = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
_DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:")
_ORCID_PREFIXES = ("https://orcid.org/", "http://orcid.org/")

NonEmptyStr = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
LocalId = Annotated[str, StringConstraints(pattern=LOCAL_ID_PATTERN)]


# RFC 3987 (IRI) built from the RFC 3986 (URI) grammar: the non-ASCII ranges are ucschar
# (and iprivate in the query); every other character outside the grammar must be
# percent-encoded, so a URL with a space, "<>{}|^\` or a lone '%' is refused, not stored to
# break every Turtle, RDF/XML and HTML output that carries it.
_UCSCHAR = "\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef" + "".join(
    f"\\U{plane:04x}0000-\\U{plane:04x}fffd" for plane in range(1, 15)
)
_IPRIVATE = "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
_PCT = "%[0-9A-Fa-f]{2}"
_IUNRESERVED = f"A-Za-z0-9._~\\-{_UCSCHAR}"
_SUB_DELIMS = "!$&'()*+,;="
_IPCHAR = f"(?:[{_IUNRESERVED}{_SUB_DELIMS}:@]|{_PCT})"
_IREG_NAME = f"(?:[{_IUNRESERVED}{_SUB_DELIMS}]|{_PCT})+"
_IP_LITERAL = r"\[(?:[0-9A-Fa-f:.]+|v[0-9A-Fa-f]+\.[A-Za-z0-9._~!$&'()*+,;=:-]+)\]"
_IUSERINFO = f"(?:[{_IUNRESERVED}{_SUB_DELIMS}:]|{_PCT})*"
_HTTP_IRI = re.compile(
    rf"https?://(?:{_IUSERINFO}@)?(?P<host>{_IP_LITERAL}|{_IREG_NAME})(?::[0-9]*)?"
    rf"(?:/{_IPCHAR}*)*"
    rf"(?:\?(?:{_IPCHAR}|[/?{_IPRIVATE}])*)?"
    rf"(?:#(?:{_IPCHAR}|[/?])*)?",
    re.IGNORECASE,
)


def check_url(value: str) -> str:
    """An absolute http(s) IRI with a host, or ``PydanticCustomError("url")``."""
    value = value.strip()
    found = _HTTP_IRI.fullmatch(value)
    if found is None:
        raise PydanticCustomError(
            "url",
            "must be an absolute http(s) URL (RFC 3986; RFC 3987 for non-ASCII characters) "
            'with a host; percent-encode spaces and the characters "<>\\^`{|}',
        )
    host = found.group("host")
    if host.startswith("[") and host[1:2].lower() != "v":
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError as exc:
            raise PydanticCustomError("url", "the host is not a valid IPv6 address") from exc
    return value


Url = Annotated[str, AfterValidator(check_url), Field(max_length=2048)]


@lru_cache(maxsize=1024)  # a catalogue uses a few dozen tags; every record repeats them
def _language(value: str) -> str:
    if not _LANGUAGE.match(value):
        raise PydanticCustomError("language_tag", "must be a BCP 47 language tag such as 'en'")
    primary, _, rest = value.partition("-")
    return primary.lower() + ("-" + rest if rest else "")


LanguageTag = Annotated[str, AfterValidator(_language)]


def normalise_doi(value: str) -> str:
    """``https://doi.org/10.1/X`` and ``doi:10.1/X`` become ``10.1/X``; raises on bad syntax."""
    value = value.strip()
    for prefix in _DOI_PREFIXES:
        if value.lower().startswith(prefix):
            value = value[len(prefix) :]
            break
    if not _DOI.match(value):
        raise PydanticCustomError("doi", "must be a DOI such as 10.5281/zenodo.1234")
    return value


DOI = Annotated[str, AfterValidator(normalise_doi)]


def orcid_checksum_ok(digits: str) -> bool:
    """ISO 7064 MOD 11-2 over the first 15 digits, as ORCID specifies."""
    total = 0
    for char in digits[:-1]:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


def _orcid(value: str) -> str:
    value = value.strip()
    for prefix in _ORCID_PREFIXES:
        if value.startswith(prefix):
            value = value[len(prefix) :]
            break
    if not _ORCID.match(value):
        raise PydanticCustomError("orcid", "must be an ORCID iD such as 0000-0002-1825-0097")
    if not orcid_checksum_ok(value.replace("-", "")):
        raise PydanticCustomError("orcid_checksum", "the ORCID iD's check digit is wrong")
    return "https://orcid.org/" + value


Orcid = Annotated[str, AfterValidator(_orcid)]

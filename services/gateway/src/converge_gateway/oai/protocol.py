"""OAI-PMH 2.0 requests and the response envelope of the federation's repository."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

__all__ = [
    "NS",
    "OAI",
    "OAIError",
    "OAIRequest",
    "envelope",
    "error_document",
    "parse_request",
    "serialise",
]

OAI = "http://www.openarchives.org/OAI/2.0/"
NS = {"oai": OAI}
XSI = "http://www.w3.org/2001/XMLSchema-instance"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")

# verb -> (required, optional, exclusive); exclusive: resumptionToken alone
VERBS: dict[str, tuple[frozenset[str], frozenset[str], bool]] = {
    "Identify": (frozenset(), frozenset(), False),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"}), False),
    "ListSets": (frozenset(), frozenset(), True),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset(), False),
    "ListIdentifiers": (
        frozenset({"metadataPrefix"}),
        frozenset({"from", "until", "set"}),
        True,
    ),
    "ListRecords": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}), True),
}


class OAIError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def echoes_arguments(self) -> bool:
        return self.code not in ("badVerb", "badArgument")


@dataclass(frozen=True)
class OAIRequest:
    verb: str
    arguments: dict[str, str]

    @property
    def token(self) -> str | None:
        return self.arguments.get("resumptionToken")


def _check_date(value: str) -> None:
    try:
        if _DAY.match(value):
            datetime.strptime(value, "%Y-%m-%d")
        elif _SECOND.match(value):
            datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
        else:
            raise ValueError(value)
    except ValueError as exc:
        raise OAIError("badArgument", f"Not a valid datestamp: {value}") from exc


def parse_request(items: list[tuple[str, str]]) -> OAIRequest:
    """Validates the verb and its arguments as the protocol requires (section 3.1)."""
    seen: dict[str, str] = {}
    for key, value in items:
        if key in seen:
            raise OAIError("badArgument", f"Repeated argument: {key}")
        seen[key] = value
    verb = seen.pop("verb", None)
    if verb is None or verb not in VERBS:
        raise OAIError("badVerb", "Missing or illegal verb")
    required, optional, exclusive = VERBS[verb]
    if exclusive and "resumptionToken" in seen:
        if len(seen) > 1:
            raise OAIError("badArgument", "resumptionToken must be the only argument")
        return OAIRequest(verb, seen)
    unknown = set(seen) - required - optional
    if unknown:
        raise OAIError("badArgument", f"Illegal argument(s): {', '.join(sorted(unknown))}")
    missing = required - set(seen)
    if missing:
        raise OAIError("badArgument", f"Missing argument(s): {', '.join(sorted(missing))}")
    for name in ("from", "until"):
        if name in seen:
            _check_date(seen[name])
    if "from" in seen and "until" in seen:
        if len(seen["from"]) != len(seen["until"]):
            raise OAIError("badArgument", "from and until must have the same granularity")
        if seen["from"] > seen["until"]:
            raise OAIError("badArgument", "from is after until")
    return OAIRequest(verb, seen)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _root(base_url: str, arguments: dict[str, str] | None) -> etree._Element:
    root = etree.Element(f"{{{OAI}}}OAI-PMH", nsmap={None: OAI, "xsi": XSI})  # type: ignore[dict-item]
    root.set(
        f"{{{XSI}}}schemaLocation",
        f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd",
    )
    etree.SubElement(root, f"{{{OAI}}}responseDate").text = _now()
    request = etree.SubElement(root, f"{{{OAI}}}request")
    request.text = base_url
    for key, value in (arguments or {}).items():
        request.set(key, value)
    return root


def envelope(base_url: str, request: OAIRequest, body: etree._Element) -> etree._Element:
    root = _root(base_url, {"verb": request.verb, **request.arguments})
    root.append(body)
    return root


def error_document(
    base_url: str, request: OAIRequest | None, error: OAIError, verb: str | None = None
) -> etree._Element:
    arguments = None
    if request is not None and error.echoes_arguments:
        arguments = {"verb": request.verb, **request.arguments}
    root = _root(base_url, arguments)
    element = etree.SubElement(root, f"{{{OAI}}}error", code=error.code)
    element.text = error.message
    return root


def serialise(root: etree._Element) -> bytes:
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data

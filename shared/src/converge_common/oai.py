"""The OAI-PMH 2.0 request grammar: verbs, their arguments, dates, and the eight error codes.

Shared by every OAI-PMH endpoint of the federation: a Node's repository (metadata service) and
the federation-wide one (gateway) must refuse exactly the same requests in exactly the same way.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from converge_common.inputs import text_problem

__all__ = ["ERROR_CODES", "VERBS", "OAIError", "OAIRequest", "parse_datestamp", "parse_request"]

ERROR_CODES = (
    "badArgument",
    "badResumptionToken",
    "badVerb",
    "cannotDisseminateFormat",
    "idDoesNotExist",
    "noMetadataFormats",
    "noRecordsMatch",
    "noSetHierarchy",
)

# verb -> (required arguments, optional arguments, may take a resumptionToken)
VERBS: dict[str, tuple[frozenset[str], frozenset[str], bool]] = {
    "Identify": (frozenset(), frozenset(), False),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"}), False),
    "ListSets": (frozenset(), frozenset(), True),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset(), False),
    "ListIdentifiers": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}), True),
    "ListRecords": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}), True),
}

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


class OAIError(Exception):
    """One OAI-PMH error condition; rendered as ``<error code=...>`` with HTTP 200."""

    def __init__(self, code: str, message: str) -> None:
        assert code in ERROR_CODES
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def echoes_arguments(self) -> bool:
        """The spec forbids echoing the arguments of a badVerb or badArgument request."""
        return self.code not in ("badVerb", "badArgument")


@dataclass(frozen=True)
class OAIRequest:
    verb: str
    arguments: dict[str, str] = field(default_factory=dict)

    @property
    def token(self) -> str | None:
        return self.arguments.get("resumptionToken")


def parse_request(items: Sequence[tuple[str, str]]) -> OAIRequest:
    """Checks verb and arguments against the grammar; raises :class:`OAIError`."""
    for key, value in items:
        if text_problem(key) or text_problem(value):
            # the argument is neither echoed nor looked up: the text cannot be stored or sent
            code = "badVerb" if key == "verb" else "badArgument"
            raise OAIError(code, "An argument contains characters that are not allowed in XML")
    counts = Counter(key for key, _ in items)
    verbs = [value for key, value in items if key == "verb"]
    if not verbs:
        raise OAIError("badVerb", "The verb argument is missing")
    if len(verbs) > 1:
        raise OAIError("badVerb", "The verb argument is repeated")
    verb = verbs[0]
    if verb not in VERBS:
        raise OAIError("badVerb", f"Illegal OAI verb: {verb}")
    required, optional, resumable = VERBS[verb]
    repeated = sorted(k for k, n in counts.items() if n > 1 and k != "verb")
    if repeated:
        raise OAIError("badArgument", f"Repeated argument: {', '.join(repeated)}")
    arguments = {key: value for key, value in items if key != "verb"}
    allowed = required | optional | ({"resumptionToken"} if resumable else set())
    illegal = sorted(set(arguments) - allowed)
    if illegal:
        raise OAIError("badArgument", f"Illegal argument for {verb}: {', '.join(illegal)}")
    if "resumptionToken" in arguments:
        if len(arguments) > 1:
            raise OAIError("badArgument", "resumptionToken is an exclusive argument")
        return OAIRequest(verb, arguments)
    missing = sorted(required - set(arguments))
    if missing:
        raise OAIError("badArgument", f"Missing required argument: {', '.join(missing)}")
    if "from" in arguments or "until" in arguments:
        _check_range(arguments.get("from"), arguments.get("until"))
    return OAIRequest(verb, arguments)


def _granularity(value: str, name: str) -> str:
    if _DAY.match(value):
        return "day"
    if _SECOND.match(value):
        return "second"
    raise OAIError("badArgument", f"{name} is not a UTC datestamp (YYYY-MM-DD[Thh:mm:ssZ])")


def _check_range(since: str | None, until: str | None) -> None:
    pairs = (("from", since), ("until", until))
    grains = {n: _granularity(v, n) for n, v in pairs if v is not None}
    if len(set(grains.values())) > 1:
        raise OAIError("badArgument", "from and until have different granularities")
    start = parse_datestamp(since, end=False) if since is not None else None
    end = parse_datestamp(until, end=True) if until is not None else None
    if start is not None and end is not None and start > end:
        raise OAIError("badArgument", "from is later than until")


def parse_datestamp(value: str, *, end: bool) -> datetime:
    """The first (``end=False``) or last instant covered by a day or second datestamp."""
    try:
        if _DAY.match(value):
            start = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
            span = timedelta(days=1)
        elif _SECOND.match(value):
            start = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            span = timedelta(seconds=1)
        else:
            raise ValueError(value)
    except ValueError as exc:
        raise OAIError("badArgument", f"Not a valid datestamp: {value}") from exc
    return start + span - timedelta(microseconds=1) if end else start

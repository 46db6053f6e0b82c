"""Content negotiation of ``GET /api/v1/records/{id}``: Bioschemas JSON-LD, DataCite XML and
DCAT RDF besides the API's own JSON."""

from __future__ import annotations

from fastapi import Request, Response

from converge_metadata.publishing.bioschemas.service import (
    record_media_type,
    record_representation,
)
from converge_metadata.publishing.context import publication_context
from converge_metadata.records.schemas import RecordRead

__all__ = ["negotiated_record"]


def negotiated_record(
    request: Request,
    record: RecordRead,
    *,
    format_param: str | None = None,
    response: Response | None = None,
) -> Response | None:
    """The record as ``?format=`` or else the ``Accept`` header asks when that is
    ``application/ld+json``, ``application/vnd.datacite.datacite+xml``, ``text/turtle`` or
    ``application/rdf+xml``; ``None`` when the caller wants the API's JSON. Headers already
    set on ``response`` (the ETag) are kept."""
    media = record_media_type(format_param=format_param, accept=request.headers.get("accept"))
    if media is None:
        return None
    body = record_representation(record, media, context=publication_context(request))
    headers = dict(response.headers) if response is not None else {}
    headers.pop("content-length", None)
    vary = headers.pop("vary", None)
    headers["Vary"] = f"{vary}, Accept" if vary else "Accept"
    return Response(body, media_type=media, headers=headers)

"""The six OAI-PMH verbs over the publication repository.

Harvest consistency: lists are walked by keyset on ``(datestamp, pk)`` and nothing is frozen.
A record unchanged during a harvest is delivered exactly once. A record changed (or deleted,
or whose embargo ends) during a harvest gets a new datestamp, later than every position
already walked, so it is delivered at the end: once if it had not been delivered yet, and a
second time, in its new state, only if it had been delivered before it changed. No record is
skipped. ``completeListSize`` is counted at the first request and carried in the token.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from converge_common.oai import OAIError, OAIRequest, parse_datestamp
from sqlalchemy.ext.asyncio import AsyncSession

from converge_metadata.models import Record
from converge_metadata.publishing import repository
from converge_metadata.publishing.context import PublicationContext
from converge_metadata.publishing.oai.formats import FORMATS
from converge_metadata.publishing.oai.tokens import HarvestState, ResumptionTokens
from converge_metadata.publishing.oai.xmltext import attr, datestamp, text
from converge_metadata.publishing.views import (
    anonymous_read,
    effective_access,
    is_tombstone,
    is_visible,
)
from converge_metadata.records.schemas import RECORD_TYPES

__all__ = ["SETS", "OAIService"]

SETS: dict[str, str] = {
    "type": "Records by type",
    **{f"type:{t}": f"{t} records" for t in RECORD_TYPES},
    "access": "Records by access level",
    "access:public": "Public records (including those whose embargo has ended)",
    "access:controlled": "Controlled-access records: metadata public, data by request",
}


def _set_filter(set_spec: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if set_spec is None:
        return (), ()
    if set_spec not in SETS:
        raise OAIError("badArgument", f"Unknown set: {set_spec}")
    group, _, value = set_spec.partition(":")
    if group == "type":
        return ((value,) if value else ()), ()
    return (), (value,) if value else ()


class OAIService:
    def __init__(
        self,
        session: AsyncSession,
        *,
        context: PublicationContext,
        tokens: ResumptionTokens,
        page_size: int,
        now: datetime,
    ) -> None:
        self.session = session
        self.context = context
        self.tokens = tokens
        self.page_size = page_size
        self.now = now

    async def respond(self, request: OAIRequest) -> str:
        handlers = {
            "Identify": self.identify,
            "ListMetadataFormats": self.list_metadata_formats,
            "ListSets": self.list_sets,
            "GetRecord": self.get_record,
            "ListIdentifiers": self.list_items,
            "ListRecords": self.list_items,
        }
        return await handlers[request.verb](request)

    async def identify(self, request: OAIRequest) -> str:
        earliest = await repository.earliest_datestamp(self.session) or self.now
        ctx = self.context
        sample = ctx.oai_identifier("abc123")
        return (
            "<Identify>"
            f"<repositoryName>{text(ctx.node_name)} (CONVERGE metadata)</repositoryName>"
            f"<baseURL>{text(ctx.oai_url)}</baseURL>"
            "<protocolVersion>2.0</protocolVersion>"
            f"<adminEmail>{text(ctx.admin_email)}</adminEmail>"
            f"<earliestDatestamp>{datestamp(earliest)}</earliestDatestamp>"
            "<deletedRecord>persistent</deletedRecord>"
            "<granularity>YYYY-MM-DDThh:mm:ssZ</granularity>"
            "<description>"
            '<oai-identifier xmlns="http://www.openarchives.org/OAI/2.0/oai-identifier" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai-identifier '
            'http://www.openarchives.org/OAI/2.0/oai-identifier.xsd">'
            "<scheme>oai</scheme>"
            f"<repositoryIdentifier>{text(ctx.repository_id)}</repositoryIdentifier>"
            "<delimiter>:</delimiter>"
            f"<sampleIdentifier>{text(sample)}</sampleIdentifier>"
            "</oai-identifier></description></Identify>"
        )

    async def _lookup(self, identifier: str) -> Record:
        local_id = self.context.local_id_of(identifier)
        row = await repository.get_record(self.session, local_id) if local_id else None
        if row is None or not (is_visible(row, now=self.now) or is_tombstone(row)):
            raise OAIError("idDoesNotExist", f"No item has the identifier {identifier}")
        if row.datestamp > self.now:
            raise OAIError("idDoesNotExist", f"No item has the identifier {identifier}")
        return row

    async def list_metadata_formats(self, request: OAIRequest) -> str:
        if "identifier" in request.arguments:
            # every item, deleted ones included, is disseminated in every format
            await self._lookup(request.arguments["identifier"])
        parts = ["<ListMetadataFormats>"]
        for fmt in FORMATS.values():
            parts.append(
                f"<metadataFormat><metadataPrefix>{fmt.prefix}</metadataPrefix>"
                f"<schema>{text(fmt.schema)}</schema>"
                f"<metadataNamespace>{text(fmt.namespace)}</metadataNamespace></metadataFormat>"
            )
        parts.append("</ListMetadataFormats>")
        return "".join(parts)

    async def list_sets(self, request: OAIRequest) -> str:
        if "resumptionToken" in request.arguments:
            raise OAIError("badResumptionToken", "ListSets is complete in one response")
        body = "".join(
            f"<set><setSpec>{spec}</setSpec><setName>{text(name)}</setName></set>"
            for spec, name in SETS.items()
        )
        return f"<ListSets>{body}</ListSets>"

    def _header(self, row: Record, deleted: bool) -> str:
        status = ' status="deleted"' if deleted else ""
        identifier = text(self.context.oai_identifier(row.local_id))
        access = "access:" + effective_access(row)
        return (
            f"<header{status}><identifier>{identifier}</identifier>"
            f"<datestamp>{datestamp(row.datestamp)}</datestamp>"
            f"<setSpec>type</setSpec><setSpec>type:{attr(row.type)}</setSpec>"
            f"<setSpec>access</setSpec><setSpec>{access}</setSpec></header>"
        )

    def _record(self, row: Record, prefix: str, *, headers_only: bool) -> str:
        deleted = not is_visible(row, now=self.now)
        header = self._header(row, deleted)
        if headers_only:
            return header
        if deleted:
            return f"<record>{header}</record>"
        record = anonymous_read(row, self.context)
        metadata = FORMATS[prefix].render(record, self.context)
        return f"<record>{header}<metadata>{metadata}</metadata></record>"

    async def get_record(self, request: OAIRequest) -> str:
        prefix = request.arguments["metadataPrefix"]
        row = await self._lookup(request.arguments["identifier"])
        if prefix not in FORMATS:
            raise OAIError("cannotDisseminateFormat", f"Unknown metadataPrefix {prefix}")
        return f"<GetRecord>{self._record(row, prefix, headers_only=False)}</GetRecord>"

    def _first_state(self, request: OAIRequest) -> HarvestState:
        args = request.arguments
        prefix = args["metadataPrefix"]
        if prefix not in FORMATS:
            raise OAIError("cannotDisseminateFormat", f"Unknown metadataPrefix {prefix}")
        set_spec = args.get("set")
        _set_filter(set_spec)
        since = parse_datestamp(args["from"], end=False) if "from" in args else None
        until = parse_datestamp(args["until"], end=True) if "until" in args else None
        return HarvestState(
            verb=request.verb, prefix=prefix, set_spec=set_spec, since=since, until=until
        )

    def _selection(self, state: HarvestState) -> repository.HarvestFilter:
        types, access = _set_filter(state.set_spec)
        return repository.HarvestFilter(
            now=self.now, since=state.since, until=state.until, types=types, access=access
        )

    async def list_items(self, request: OAIRequest) -> str:
        token = request.arguments.get("resumptionToken")
        if token is not None:
            state = self.tokens.decode(token, verb=request.verb)
        else:
            state = self._first_state(request)
        selection = self._selection(state)
        rows = await repository.harvest_page(
            self.session, selection, after=state.after, limit=self.page_size + 1
        )
        if not rows and token is None:
            raise OAIError("noRecordsMatch", "No records match the request")
        total = state.total
        if total < 0:
            total = await repository.count_harvest(self.session, selection)
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        headers_only = request.verb == "ListIdentifiers"
        body = [self._record(row, state.prefix, headers_only=headers_only) for row in rows]
        body.append(
            self._resumption(state, rows, total=total, more=more, resumed=token is not None)
        )
        return f"<{request.verb}>{''.join(body)}</{request.verb}>"

    def _resumption(
        self, state: HarvestState, rows: Sequence[Record], *, total: int, more: bool, resumed: bool
    ) -> str:
        delivered = state.cursor + len(rows)
        size = max(total, delivered + (1 if more else 0))
        if not more:
            if not resumed:
                return ""
            return f'<resumptionToken completeListSize="{size}" cursor="{state.cursor}"/>'
        last = rows[-1]
        following = state.model_copy(
            update={"after": (last.datestamp, last.pk), "cursor": delivered, "total": total}
        )
        token, expires = self.tokens.encode(following)
        return (
            f'<resumptionToken expirationDate="{datestamp(expires)}" '
            f'completeListSize="{size}" cursor="{state.cursor}">{token}</resumptionToken>'
        )

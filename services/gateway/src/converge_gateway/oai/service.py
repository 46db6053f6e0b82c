"""The federation as one OAI-PMH repository: every Node's records, walked Node after Node.

Stateless: a list request walks the Nodes in id order; the resumption token names the Node
being walked and carries that Node's own token and how much of that Node's page was delivered.
A page holds at most ``OAI_PAGE_SIZE`` items: when a Node's list ends, the same request goes on
to the next Nodes until the page is full or a Node has more to come. The first request asks
every walked Node at once, for its list size (``completeListSize``, summed and carried in the
token with the ``cursor``) and for the first pages the walk then uses. A Node that fails
mid-walk makes the request answer 503 with ``Retry-After``: the harvester repeats the same
token and loses nothing. A Node that is not active when its turn begins is passed over.
"""

from __future__ import annotations

from datetime import UTC, datetime

from converge_common.errors import ServiceUnavailable
from lxml import etree

from converge_gateway.context import Gateway
from converge_gateway.directory.schemas import NodeEntry
from converge_gateway.fanout.engine import NodeResult
from converge_gateway.oai.nodes import (
    ask_node,
    federation_error,
    node_identifier,
    rewrite_headers,
    split,
)
from converge_gateway.oai.protocol import NS, OAI, OAIError, OAIRequest
from converge_gateway.oai.tokens import HarvestToken

__all__ = ["FederationRepository"]

ITEM_TAGS = {"ListRecords": "record", "ListIdentifiers": "header"}
SKIPPABLE = ("noRecordsMatch", "cannotDisseminateFormat")


def _list_size(root: etree._Element, verb: str) -> int | None:
    """A Node's list size from its first page: the token's ``completeListSize``, or the page's
    items when the page is the whole list."""
    listing = root.find(f"oai:{verb}", NS)
    if listing is None:
        return None
    token = listing.find("oai:resumptionToken", NS)
    if token is None or not (token.text or "").strip():
        return len(listing.findall(f"oai:{ITEM_TAGS[verb]}", NS))
    size = token.get("completeListSize")
    return int(size) if size is not None and size.isdigit() else None


def _el(tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.Element(f"{{{OAI}}}{tag}", attrib=attrs)
    element.text = text
    return element


def _child(parent: etree._Element, tag: str, text: str) -> None:
    etree.SubElement(parent, f"{{{OAI}}}{tag}").text = text


class FederationRepository:
    def __init__(self, gateway: Gateway, *, base_url: str) -> None:
        self.gateway = gateway
        self.base_url = base_url
        self.settings = gateway.settings

    async def handle(self, request: OAIRequest) -> etree._Element:
        if request.verb == "Identify":
            return await self.identify()
        if request.verb == "ListSets":
            return await self.list_sets(request)
        if request.verb == "ListMetadataFormats":
            return await self.list_formats(request)
        if request.verb == "GetRecord":
            return await self.get_record(request)
        return await self.list_items(request)

    def _members(self) -> list[NodeEntry]:
        return [
            n for n in self.gateway.directory.nodes if n.status == "accepted" and n.metadata_url
        ]

    async def _everywhere(self, params: dict[str, str]) -> list[NodeResult[etree._Element]]:
        async def call(node: NodeEntry) -> etree._Element:
            return await ask_node(self.gateway, node, params)

        results = await self.gateway.fanout.run(self._members(), call, operation="oai")
        return [r for r in results.values() if r.status == "ok" and r.value is not None]

    async def identify(self) -> etree._Element:
        answers = await self._everywhere({"verb": "Identify"})
        stamps = [
            s
            for r in answers
            if r.value is not None
            and (s := r.value.findtext(".//oai:earliestDatestamp", namespaces=NS))
        ]
        earliest = min(stamps, default=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        body = _el("Identify")
        for tag, value in (
            ("repositoryName", self.settings.federation_name),
            ("baseURL", self.base_url),
            ("protocolVersion", "2.0"),
            ("adminEmail", self.settings.admin_email),
            ("earliestDatestamp", earliest),
            # Nodes keep their tombstones, but a Node may leave the federation
            ("deletedRecord", "transient"),
            ("granularity", "YYYY-MM-DDThh:mm:ssZ"),
        ):
            _child(body, tag, value)
        body.append(self._identifier_description())
        return body

    def _identifier_description(self) -> etree._Element:
        ns = "http://www.openarchives.org/OAI/2.0/oai-identifier"
        description = _el("description")
        xsi = "http://www.w3.org/2001/XMLSchema-instance"
        scheme = etree.SubElement(description, f"{{{ns}}}oai-identifier", nsmap={"xsi": xsi})
        scheme.set(
            f"{{{xsi}}}schemaLocation",
            f"{ns} http://www.openarchives.org/OAI/2.0/oai-identifier.xsd",
        )
        fed = self.settings.federation_id
        for tag, value in (
            ("scheme", "oai"),
            ("repositoryIdentifier", fed),
            ("delimiter", ":"),
            ("sampleIdentifier", f"oai:{fed}:de:abc123"),
        ):
            etree.SubElement(scheme, f"{{{ns}}}{tag}").text = value
        return description

    async def list_sets(self, request: OAIRequest) -> etree._Element:
        if request.token:
            raise OAIError("badResumptionToken", "ListSets is answered in one piece")
        sets: dict[str, str] = {"node": "Records by Node"}
        for node in self._members():
            sets[f"node:{node.id}"] = f"Records of {node.name}"
        for answer in await self._everywhere({"verb": "ListSets"}):
            assert answer.value is not None
            for element in answer.value.iterfind(".//oai:set", NS):
                spec = element.findtext("oai:setSpec", namespaces=NS)
                if spec and not spec.startswith("node"):
                    sets.setdefault(spec, element.findtext("oai:setName", namespaces=NS) or spec)
        body = _el("ListSets")
        for spec, name in sets.items():
            entry = etree.SubElement(body, f"{{{OAI}}}set")
            _child(entry, "setSpec", spec)
            _child(entry, "setName", name)
        return body

    def _node_of(self, identifier: str) -> tuple[NodeEntry, str]:
        node_id, local_id = split(self.gateway, identifier)
        node = self.gateway.directory.get(node_id)
        if node is None or node.status != "accepted" or not node.metadata_url:
            raise OAIError("idDoesNotExist", f"No item has the identifier {identifier}")
        return node, local_id

    async def list_formats(self, request: OAIRequest) -> etree._Element:
        body = _el("ListMetadataFormats")
        if "identifier" in request.arguments:
            node, local_id = self._node_of(request.arguments["identifier"])
            params = {
                "verb": "ListMetadataFormats",
                "identifier": await node_identifier(self.gateway, node, local_id),
            }
            try:
                roots = [await ask_node(self.gateway, node, params)]
            except OAIError as exc:
                raise federation_error(exc, identifier=request.arguments["identifier"]) from exc
        else:
            roots = [
                r.value
                for r in await self._everywhere({"verb": "ListMetadataFormats"})
                if r.value is not None
            ]
        seen: set[str] = set()
        for root in roots:
            for fmt in root.iterfind(".//oai:metadataFormat", NS):
                prefix = fmt.findtext("oai:metadataPrefix", namespaces=NS)
                if prefix and prefix not in seen:
                    seen.add(prefix)
                    body.append(fmt)
        if not seen:
            raise OAIError("noMetadataFormats", "No metadata formats are available now")
        return body

    async def get_record(self, request: OAIRequest) -> etree._Element:
        node, local_id = self._node_of(request.arguments["identifier"])
        params = {
            "verb": "GetRecord",
            "identifier": await node_identifier(self.gateway, node, local_id),
            "metadataPrefix": request.arguments["metadataPrefix"],
        }
        try:
            root = await ask_node(self.gateway, node, params)
        except OAIError as exc:
            raise federation_error(
                exc, identifier=request.arguments["identifier"], prefix=params["metadataPrefix"]
            ) from exc
        body = root.find("oai:GetRecord", NS)
        if body is None:
            raise OAIError(
                "idDoesNotExist", f"No item has the identifier {request.arguments['identifier']}"
            )
        rewrite_headers(self.gateway, node.id, body)
        return body

    def _walk(self, set_spec: str | None) -> tuple[list[NodeEntry], str | None]:
        """The Nodes to walk, in id order, and the set to ask each of them for."""
        members = self._members()
        if set_spec is not None and set_spec.startswith("node:"):
            return [n for n in members if n.id == set_spec[5:]], None
        if set_spec == "node":
            return members, None
        return members, set_spec

    def _first(self, request: OAIRequest) -> HarvestToken:
        args = request.arguments
        nodes, _ = self._walk(args.get("set"))
        return HarvestToken(
            verb=request.verb,
            node=nodes[0].id if nodes else "",
            node_token=None,
            prefix=args["metadataPrefix"],
            set_spec=args.get("set"),
            since=args.get("from"),
            until=args.get("until"),
        )

    def _params(self, state: HarvestToken, node_set: str | None) -> dict[str, str]:
        if state.node_token:
            return {"verb": state.verb, "resumptionToken": state.node_token}
        params = {"verb": state.verb, "metadataPrefix": state.prefix}
        for key, value in (("set", node_set), ("from", state.since), ("until", state.until)):
            if value:
                params[key] = value
        return params

    async def _first_pages(
        self, nodes: list[NodeEntry], params: dict[str, str]
    ) -> tuple[dict[str, etree._Element | None], dict[str, int | None], set[str]]:
        """Every walked Node's first page at once: each Node's list size (its
        ``completeListSize``, or the page itself when it is the whole list; ``None`` when the
        Node did not answer) and the pages, so the walk asks no Node twice for them."""

        async def call(node: NodeEntry) -> tuple[etree._Element | None, str | None]:
            try:
                return await ask_node(self.gateway, node, params), None
            except OAIError as exc:
                # a protocol error is an answer: the walk meets it again in the Node's turn
                return None, exc.code

        results = await self.gateway.fanout.run(nodes, call, operation="oai")
        pages: dict[str, etree._Element | None] = {}
        sizes: dict[str, int | None] = {}
        refusals: set[str] = set()
        for node_id, result in results.items():
            sizes[node_id] = None
            if result.status != "ok" or result.value is None:
                continue
            root, code = result.value
            if code in SKIPPABLE:
                pages[node_id], sizes[node_id] = None, 0
                refusals.add(code)
            elif root is not None:
                pages[node_id], sizes[node_id] = root, _list_size(root, params["verb"])
        return pages, sizes, refusals

    async def list_items(self, request: OAIRequest) -> etree._Element:
        tokens = self.gateway.harvest_tokens
        if request.token:
            state = tokens.decode(request.token, verb=request.verb)
        else:
            state = self._first(request)
        nodes, node_set = self._walk(state.set_spec)
        walked = [n for n in nodes if n.id >= state.node]
        prefetched: dict[str, etree._Element | None] = {}
        refusals: set[str] = set()
        if not request.token:
            prefetched, sizes, refusals = await self._first_pages(
                walked, self._params(state, node_set)
            )
            state = state.model_copy(update={"sizes": sizes})
        body = _el(request.verb)
        room = self.settings.oai_page_size
        for node in walked:
            if state.sizes.get(node.id, None) == 0:
                continue
            resuming = node.id == state.node and (state.node_token is not None or state.skip > 0)
            if not resuming:
                state = state.model_copy(update={"node": node.id, "node_token": None, "skip": 0})
            if node.id in prefetched and not resuming:
                root = prefetched[node.id]
            else:
                params = self._params(state, node_set)
                root = await self._ask_in_turn(node, params, resuming, refusals)
            listing = None if root is None else root.find(f"oai:{request.verb}", NS)
            if listing is None:
                continue
            rewrite_headers(self.gateway, node.id, listing)
            items = list(listing.iterfind(f"oai:{ITEM_TAGS[request.verb]}", NS))[state.skip :]
            more = (listing.findtext("oai:resumptionToken", namespaces=NS) or "").strip()
            for item in items[:room]:
                body.append(item)
            if len(items) > room:
                # the page is full inside this Node's page: the rest of it comes next
                return self._page(body, state.model_copy(update={"skip": state.skip + room}))
            room -= len(items)
            if more:
                # the Node's next page is asked for by the next request: one call per Node here
                return self._page(body, state.model_copy(update={"node_token": more, "skip": 0}))
            if room == 0 and (rest := self._after(walked, node.id, state)):
                return self._page(
                    body, state.model_copy(update={"node": rest, "node_token": None, "skip": 0})
                )
        if len(body) == 0:
            if refusals == {"cannotDisseminateFormat"}:
                raise OAIError("cannotDisseminateFormat", f"No Node offers {state.prefix}")
            raise OAIError("noRecordsMatch", "No records match the request")
        if request.token:
            # the list is complete: the last page says so, with the list's size and cursor
            body.append(self._token_element(state, None))
        return body

    def _after(self, walked: list[NodeEntry], node_id: str, state: HarvestToken) -> str | None:
        """The next Node after ``node_id`` that may have records (its size not known as 0)."""
        for node in walked:
            if node.id > node_id and state.sizes.get(node.id, None) != 0:
                return node.id
        return None

    def _page(self, body: etree._Element, after: HarvestToken) -> etree._Element:
        """A full page and the token for the next, counting this page's items in the cursor."""
        issued = after.model_copy(update={"cursor": after.cursor + len(body)})
        body.append(self._token_element(after, issued))
        return body

    def _token_element(self, state: HarvestToken, issued: HarvestToken | None) -> etree._Element:
        attrs = {"cursor": str(state.cursor)}
        sizes = state.sizes
        if sizes and all(size is not None for size in sizes.values()):
            attrs["completeListSize"] = str(sum(size or 0 for size in sizes.values()))
        if issued is None:
            return _el("resumptionToken", None, **attrs)
        value, expires = self.gateway.harvest_tokens.encode(issued)
        stamp = expires.strftime("%Y-%m-%dT%H:%M:%SZ")
        return _el("resumptionToken", value, expirationDate=stamp, **attrs)

    async def _ask_in_turn(
        self, node: NodeEntry, params: dict[str, str], resuming: bool, refusals: set[str]
    ) -> etree._Element | None:
        """A Node's page; ``None`` when a Node whose turn begins has nothing to give."""
        try:
            return await ask_node(self.gateway, node, params)
        except ServiceUnavailable:
            # not active or circuit open as its turn begins: passed over, not waited for
            if resuming:
                raise
            return None
        except OAIError as exc:
            if exc.code in SKIPPABLE and not resuming:
                refusals.add(exc.code)
                return None
            raise federation_error(exc) from exc

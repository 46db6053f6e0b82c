"""The federation as one OAI-PMH repository: every Node's records, walked Node after Node.

Stateless: a list request walks the Nodes in id order; the resumption token names the Node
being walked and carries that Node's own token. When a Node's list ends, the same request goes
on to the next Nodes until one has more to come, so a page is never empty. A Node that fails
mid-walk makes the request answer 503 with ``Retry-After``: the harvester repeats the same
token and loses nothing. A Node that is not active when its turn begins is passed over.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from converge_common.errors import ServiceUnavailable
from lxml import etree

from converge_gateway.context import Gateway
from converge_gateway.directory.schemas import NodeEntry
from converge_gateway.fanout.engine import NodeResult
from converge_gateway.oai.nodes import ask_node, node_identifier, rewrite_headers, split
from converge_gateway.oai.protocol import NS, OAI, OAIError, OAIRequest
from converge_gateway.oai.tokens import HarvestToken

__all__ = ["FederationRepository"]

ITEM_TAGS = {"ListRecords": "record", "ListIdentifiers": "header"}
SKIPPABLE = ("noRecordsMatch", "cannotDisseminateFormat")


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
            roots = [await ask_node(self.gateway, node, params)]
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
        root = await ask_node(self.gateway, node, params)
        body = root.find("oai:GetRecord", NS)
        if body is None:
            raise OAIError("idDoesNotExist", "The Node answered without the record")
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
            expires=0,
        )

    def _params(self, state: HarvestToken, node_set: str | None) -> dict[str, str]:
        if state.node_token:
            return {"verb": state.verb, "resumptionToken": state.node_token}
        params = {"verb": state.verb, "metadataPrefix": state.prefix}
        for key, value in (("set", node_set), ("from", state.since), ("until", state.until)):
            if value:
                params[key] = value
        return params

    async def list_items(self, request: OAIRequest) -> etree._Element:
        tokens = self.gateway.harvest_tokens
        if request.token:
            state = tokens.decode(request.token, verb=request.verb)
        else:
            state = self._first(request)
        nodes, node_set = self._walk(state.set_spec)
        body = _el(request.verb)
        found, refusals = 0, set[str]()
        for node in (n for n in nodes if n.id >= state.node):
            resuming = node.id == state.node and state.node_token is not None
            if not resuming:
                state = replace(state, node=node.id, node_token=None)
            root = await self._ask_in_turn(node, self._params(state, node_set), resuming, refusals)
            listing = None if root is None else root.find(f"oai:{request.verb}", NS)
            if listing is None:
                continue
            rewrite_headers(self.gateway, node.id, listing)
            for item in listing.iterfind(f"oai:{ITEM_TAGS[request.verb]}", NS):
                body.append(item)
                found += 1
            more = (listing.findtext("oai:resumptionToken", namespaces=NS) or "").strip()
            if more:
                token = tokens.issue(replace(state, node=node.id, node_token=more))
                return self._with_token(body, tokens.encode(token), token.expires)
        if not found:
            if refusals == {"cannotDisseminateFormat"}:
                raise OAIError("cannotDisseminateFormat", f"No Node offers {state.prefix}")
            raise OAIError("noRecordsMatch", "No records match the request")
        if request.token:
            body.append(_el("resumptionToken"))  # the list is complete
        return body

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
            raise

    def _with_token(self, body: etree._Element, value: str, expires: int) -> etree._Element:
        stamp = datetime.fromtimestamp(expires, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        body.append(_el("resumptionToken", value, expirationDate=stamp))
        return body

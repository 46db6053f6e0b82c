"""Talking OAI-PMH to one Node: the call, safe parsing, and identifiers in both directions."""

from __future__ import annotations

import re

from lxml import etree

from converge_gateway.context import Gateway
from converge_gateway.directory.schemas import NodeEntry
from converge_gateway.fanout.calls import get_from_node
from converge_gateway.fanout.engine import NodeAnswerInvalid
from converge_gateway.fanout.single import call_node
from converge_gateway.oai.protocol import NS, OAI, OAIError
from converge_gateway.safe_xml import UnsafeXML, parse_xml
from converge_gateway.search.schemas import LOCAL_ID_PATTERN

__all__ = [
    "ask_node",
    "federation_error",
    "federation_identifier",
    "node_identifier",
    "rewrite_headers",
    "split",
]

_NODE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_LOCAL_ID = re.compile(LOCAL_ID_PATTERN)


def parse(content: bytes) -> etree._Element:
    try:
        root = parse_xml(content)
    except UnsafeXML as exc:
        raise NodeAnswerInvalid(f"malformed OAI-PMH answer: {exc}") from exc
    if root.tag != f"{{{OAI}}}OAI-PMH":
        raise NodeAnswerInvalid("not an OAI-PMH answer")
    return root


async def ask_node(
    gateway: Gateway, node: NodeEntry, params: dict[str, str], *, operation: str = "oai"
) -> etree._Element:
    """The Node's OAI-PMH document; a Node's protocol error is raised as :class:`OAIError`."""

    async def call(target: NodeEntry) -> etree._Element:
        response = await get_from_node(
            gateway.nodes_client,
            f"{target.metadata_url}/oai",
            params=params,
            accept="text/xml",
            limits=gateway.node_limits,
        )
        return parse(response.content)

    root = await call_node(gateway, node, call, operation=operation)
    error = root.find("oai:error", NS)
    if error is not None:
        raise OAIError(error.get("code") or "badArgument", (error.text or "").strip())
    return root


def federation_identifier(gateway: Gateway, node_id: str, node_identifier: str) -> str:
    # a local id never holds a colon: it is whatever follows the last one
    local_id = node_identifier.rsplit(":", 1)[-1]
    return f"oai:{gateway.settings.federation_id}:{node_id}:{local_id}"


def split(gateway: Gateway, identifier: str) -> tuple[str, str]:
    prefix = f"oai:{gateway.settings.federation_id}:"
    node_id, _, local_id = identifier.removeprefix(prefix).partition(":")
    if (
        not identifier.startswith(prefix)
        or not _NODE_ID.match(node_id)
        or not _LOCAL_ID.match(local_id)
    ):
        raise OAIError("idDoesNotExist", f"No item has the identifier {identifier}")
    return node_id, local_id


async def node_identifier(gateway: Gateway, node: NodeEntry, local_id: str) -> str:
    """The Node's own identifier of a record, from the sample in its Identify answer."""
    prefix = gateway.oai_prefixes.get(node.id)
    if prefix is None:
        root = await ask_node(gateway, node, {"verb": "Identify"})
        sample = root.findtext(
            ".//{http://www.openarchives.org/OAI/2.0/oai-identifier}sampleIdentifier"
        )
        if not sample or ":" not in sample:
            raise OAIError("idDoesNotExist", f"Node {node.id} names no identifier scheme")
        prefix = sample.rsplit(":", 1)[0] + ":"
        gateway.oai_prefixes[node.id] = prefix
    return prefix + local_id


def rewrite_headers(gateway: Gateway, node_id: str, container: etree._Element) -> None:
    """Every header under ``container`` gets the federation identifier and the Node's sets."""
    for header in container.iter(f"{{{OAI}}}header"):
        identifier = header.find("oai:identifier", NS)
        if identifier is not None and identifier.text:
            identifier.text = federation_identifier(gateway, node_id, identifier.text.strip())
        for spec in ("node", f"node:{node_id}"):
            etree.SubElement(header, f"{{{OAI}}}setSpec").text = spec


def federation_error(
    error: OAIError, *, identifier: str | None = None, prefix: str | None = None
) -> OAIError:
    """A Node's protocol error in the federation's words: its code, never its text (which names
    the Node's own identifiers and base URL, unknown to the harvester)."""
    item = f"the item {identifier}" if identifier else "the item"
    messages = {
        "idDoesNotExist": f"No item has the identifier {identifier}"
        if identifier
        else "No item has this identifier",
        "cannotDisseminateFormat": f"{item[0].upper()}{item[1:]} is not available as {prefix}"
        if prefix
        else f"{item[0].upper()}{item[1:]} is not available in this format",
        "noMetadataFormats": f"No metadata formats are available for {item}",
        "noRecordsMatch": "No records match the request",
        "badResumptionToken": "The list can no longer be resumed at this point; start it again",
        "badArgument": "The arguments were refused (is the set one of ListSets?)",
    }
    return OAIError(error.code, messages.get(error.code, "The request was refused"))

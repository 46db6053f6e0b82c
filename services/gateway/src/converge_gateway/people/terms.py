"""EDAM topics from the Nodes' term lookup (``/api/v1/terms``), asked of one Node after
another until one answers, and kept a few minutes: the labels of ids, the topics of a text."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError

from converge_gateway.context import Gateway
from converge_gateway.directory.schemas import NodeEntry
from converge_gateway.fanout.calls import get_from_node
from converge_gateway.fanout.engine import NodeAnswerInvalid
from converge_gateway.people.schemas import NodeTerm, NodeTermList

__all__ = ["TermsUnavailable", "topic_labels", "topics_for"]

Q_TOPICS = 20
_BATCH = 50
_UNKNOWN = ""  # cached for an id no Node knows, so that it is not asked again at once


class TermsUnavailable(Exception):
    """No Node answered the term lookup."""


async def _ask_nodes(gateway: Gateway, params: list[tuple[str, str]]) -> list[NodeTerm]:
    """The first answer of the callable Nodes, tried in turn (a Node whose breaker is open, or
    that the registry does not list as callable, is passed over without a call)."""

    async def call(target: NodeEntry) -> list[NodeTerm]:
        response = await get_from_node(
            gateway.nodes_client,
            f"{target.metadata_url}/api/v1/terms",
            params=params,
            limits=gateway.node_limits,
        )
        try:
            return NodeTermList.model_validate_json(response.content).items
        except ValidationError as exc:
            raise NodeAnswerInvalid("unreadable term list") from exc

    reasons = []
    for node in sorted(gateway.directory.nodes, key=lambda n: n.id):
        result = (await gateway.fanout.run([node], call, operation="terms"))[node.id]
        if result.status == "ok" and result.value is not None:
            return result.value
        reasons.append(f"{node.id}: {result.reason or result.status}")
    why = "; ".join(reasons) or "no Node in the directory"
    raise TermsUnavailable(f"no Node answered the term lookup ({why})")


def _remember(gateway: Gateway, terms: Sequence[NodeTerm]) -> None:
    for term in terms:
        gateway.terms_cache.put(("topic", term.id), term.label)


async def topic_labels(
    gateway: Gateway, ids: Sequence[str]
) -> tuple[dict[str, str | None], str | None]:
    """Each topic's label (None when unknown or unavailable), and why some could not be read."""
    missing = [i for i in dict.fromkeys(ids) if gateway.terms_cache.get(("topic", i)) is None]
    error = None
    try:
        for start in range(0, len(missing), _BATCH):
            batch = missing[start : start + _BATCH]
            params = [("vocabulary", "edam_topic"), *(("id", i) for i in batch)]
            found = await _ask_nodes(gateway, params)
            _remember(gateway, found)
            for term_id in set(batch) - {t.id for t in found}:
                gateway.terms_cache.put(("topic", term_id), _UNKNOWN)
    except TermsUnavailable as exc:
        error = str(exc)
    labels = {i: gateway.terms_cache.get(("topic", i)) or None for i in ids}
    return labels, error


async def topics_for(gateway: Gateway, text: str) -> list[NodeTerm]:
    """The EDAM topics whose label or synonym ``text`` finds, best first."""
    key = ("q", " ".join(text.casefold().split()))
    cached: list[NodeTerm] | None = gateway.terms_cache.get(key)
    if cached is not None:
        return cached
    params = [("vocabulary", "edam_topic"), ("q", text), ("limit", str(Q_TOPICS))]
    found = await _ask_nodes(gateway, params)
    gateway.terms_cache.put(key, found)
    _remember(gateway, found)
    return found

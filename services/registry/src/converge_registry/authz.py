"""Who may act for a Node."""

from __future__ import annotations

from converge_common.auth import Principal
from converge_common.errors import Forbidden

from converge_registry.models import Node

__all__ = ["acts_for", "require_acts_for", "require_steward_of"]


def acts_for(principal: Principal, node: Node) -> bool:
    """A federation admin, or a token bound to this accepted Node.

    Bound means: a client-credentials token of one of the Node's client ids (a person's token
    carries the client id of the portal they used, so it must be the token's own subject), an
    entitlement the Node was bound to, or the ``node:<id>:admin`` role.
    """
    if principal.is_federation_admin:
        return True
    if node.status != "accepted":
        return False
    client = principal.client_id
    if client and client == principal.subject and client in node.client_ids:
        return True
    if set(principal.entitlements) & set(node.entitlements):
        return True
    return principal.has_node_role(node.id, "admin")


def require_acts_for(principal: Principal, node: Node) -> None:
    if not acts_for(principal, node):
        if node.status != "accepted" and not principal.is_federation_admin:
            raise Forbidden(f"Node {node.id!r} is {node.status}; only accepted Nodes may write")
        raise Forbidden(f"This token does not act for Node {node.id!r}")


def require_steward_of(principal: Principal, node: Node) -> None:
    """Acting for the Node, or its steward (people of the expert network)."""
    if acts_for(principal, node):
        return
    if node.status == "accepted" and principal.has_node_role(node.id, "steward"):
        return
    require_acts_for(principal, node)

"""Who may act for a Node."""

from __future__ import annotations

from converge_common.auth import Principal
from converge_common.errors import Forbidden

from converge_registry.models import Node

__all__ = ["acts_for", "require_acts_for", "require_steward_of"]


def acts_for(principal: Principal, node: Node) -> bool:
    """A federation admin, or the ``node:<id>:admin`` role of this accepted Node.

    The role comes from the token's scopes and entitlements through the same
    :class:`~converge_common.auth.RoleMapper` every Node's service uses, so a token acts for
    its Node here exactly when that Node's own services accept it as the Node's admin. The
    Node's recorded ``client_ids`` and ``entitlements`` grant nothing by themselves.
    """
    if principal.is_federation_admin:
        return True
    return node.status == "accepted" and principal.has_node_role(node.id, "admin")


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

"""The Node workspace of the metadata service: pages for the Node's stewards at /workspace/."""

from __future__ import annotations

from converge_common.web.i18n import N_
from converge_common.workspace import NavItem, Workspace

from converge_metadata.models import workspace_sessions

__all__ = ["WORKSPACE"]

WORKSPACE = Workspace(
    service="metadata",
    sessions=workspace_sessions,
    templates="converge_metadata.workspace",
    translations="converge_metadata.workspace",
    static="converge_metadata.workspace",
    nav=[
        NavItem(N_("Dashboard"), "/workspace/"),
        NavItem(N_("Records"), "/workspace/records"),
        NavItem(N_("New record"), "/workspace/new"),
        NavItem(N_("Imports"), "/workspace/imports"),
    ],
)

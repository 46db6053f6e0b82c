"""Who is at the impact workspace, and how a page is drawn for them.

The sign-in, the session, the CSRF check and the page frame are the shared workspace's
(``converge_common.workspace``); this module names the impact service's workspace (its
sessions table, templates and navigation) and turns the signed-in person into the
:class:`Actor` the service layer takes, with the same roles the API gives the same token.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from converge_common.web import Page, static_files
from converge_common.web.i18n import N_
from converge_common.workspace import (
    NavItem,
    SignedInSteward,
    StewardForm,
    Workspace,
    WorkspaceUser,
    render_page,
)
from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse

from converge_impact.models import workspace_sessions
from converge_impact.values.service import Actor

__all__ = ["WORKSPACE", "Editor", "Viewer", "WorkspaceView", "install_workspace"]

WORKSPACE = Workspace(
    service="impact",
    sessions=workspace_sessions,
    templates="converge_impact.workspace",
    translations="converge_impact.workspace",
    nav=[
        NavItem(N_("Values"), "/workspace/"),
        NavItem(N_("Enter a value"), "/workspace/values/new"),
        NavItem(N_("Upload CSV"), "/workspace/upload"),
        NavItem(N_("Derived values"), "/workspace/derived"),
        NavItem(N_("Charts"), "/workspace/charts"),
        NavItem(N_("Annual reports"), "/workspace/reports"),
    ],
)


def install_workspace(app: FastAPI) -> None:
    """The shared sign-in routes and pages, and the assets: the impact pages' own style sheet
    beside the shared ones, under the one path the workspace's pages link to (mounted before
    the shared workspace's mount of the same path, so this one answers)."""
    app.mount(
        f"{WORKSPACE.prefix}/static",
        static_files("converge_impact.workspace"),
        name="impact-workspace-static",
    )
    WORKSPACE.install(app)


@dataclass(frozen=True)
class WorkspaceView:
    """A page request of a signed-in steward or admin of this Node."""

    request: Request
    user: WorkspaceUser

    @property
    def actor(self) -> Actor:
        # the same rule as the API's ActorDep: roles read from the same access token
        return Actor.of(self.user.principal, self.user.node_id)

    @property
    def page(self) -> Page:
        return Page(self.request, WORKSPACE.site)

    def render(
        self, template: str, context: Mapping[str, Any], *, status: int = 200
    ) -> HTMLResponse:
        return render_page(
            self.request, self.user, template, {**context, "actor": self.actor}, status=status
        )


def _viewer(request: Request, user: SignedInSteward) -> WorkspaceView:
    return WorkspaceView(request, user)


def _editor(request: Request, user: StewardForm) -> WorkspaceView:
    return WorkspaceView(request, user)


# GET pages: a signed-in steward (or admin) of this Node; else the sign-in or refusal page
Viewer = Annotated[WorkspaceView, Depends(_viewer)]
# POST forms: the same, and the form carries the session's CSRF token
Editor = Annotated[WorkspaceView, Depends(_editor)]

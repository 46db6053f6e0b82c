"""Who is at the workspace, and how a page is drawn for them.

PROVISIONAL: until the shared workspace sign-in lands, the person is the bearer token's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from converge_common.auth import RequireNodeSteward
from converge_common.web import Page, Site
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse

from converge_impact.settings import ImpactSettings
from converge_impact.values.service import Actor

__all__ = ["SITE", "STATIC_PATH", "Editor", "Viewer", "WorkspaceView", "page_for"]

STATIC_PATH = "/workspace/static"
SITE = Site(packages=["converge_impact.workspace"], static_path=STATIC_PATH)


def page_for(request: Request) -> Page:
    return Page(request, SITE)


@dataclass
class WorkspaceView:
    page: Page
    actor: Actor
    user_name: str
    csrf_token: str
    node_id: str
    node_name: str
    sign_out_url: str = "/workspace/sign-out"

    def render(
        self, template: str, context: Mapping[str, Any], *, status: int = 200
    ) -> HTMLResponse:
        return self.page.render(
            template,
            {
                **context,
                "actor": self.actor,
                "user": {"name": self.user_name},
                "csrf_token": self.csrf_token,
                "node_id": self.node_id,
                "node_name": self.node_name,
                "sign_out_url": self.sign_out_url,
            },
            status=status,
        )


def _view(request: Request, principal: RequireNodeSteward) -> WorkspaceView:
    settings: ImpactSettings = request.app.state.settings
    node = settings.node_id
    return WorkspaceView(
        page=page_for(request),
        actor=Actor.of(principal, node),
        user_name=str(principal.claims.get("name") or principal.subject),
        csrf_token="",
        node_id=node,
        node_name=settings.node_name,
    )


Viewer = Annotated[WorkspaceView, Depends(_view)]
Editor = Annotated[WorkspaceView, Depends(_view)]

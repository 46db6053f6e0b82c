"""The Node workspace's sign-in and page layer, shared by the metadata and impact services.

Stewards sign in with OpenID Connect (authorization code, PKCE S256, state and nonce) at the
service's configured provider; the tokens stay in a server-side session (the service's
``workspace_sessions`` table), the browser holds an opaque id in an ``HttpOnly``,
``SameSite=Lax`` cookie (``Secure`` outside development) named after the service and Node.
Roles are the access token's, read exactly as the API reads them.

Wiring, in a service::

    sessions = workspace_sessions_table(Base.metadata)          # models/, plus a migration
    WORKSPACE = Workspace(service="metadata", sessions=sessions,
                          templates="converge_metadata.workspace",
                          nav=[NavItem("Dashboard", "/workspace/")])
    spec = ServiceSpec(..., lifespans=[..., WORKSPACE.lifespan])
    app = build_service_app(settings, spec); WORKSPACE.install(app)

Pages::

    @router.get("/workspace/")
    async def dashboard(request: Request, user: SignedInSteward) -> HTMLResponse:
        return render_page(request, user, "dashboard.html", {...})

    @router.post("/workspace/records/{id}")
    async def save(request: Request, user: StewardForm, ...) -> Response: ...

A template extends ``workspace.html`` (blocks ``title`` and ``main``); every form that posts
carries ``<input type="hidden" name="csrf_token" value="{{ csrf_token }}">`` (or a script
sends the header ``X-CSRF-Token``).
"""

from __future__ import annotations

from converge_common.workspace.core import (
    AdminForm,
    NavItem,
    SignedInAdmin,
    SignedInSteward,
    StewardForm,
    Workspace,
    WorkspaceUser,
    check_csrf,
    render_page,
)
from converge_common.workspace.sessions import workspace_sessions_table

__all__ = [
    "AdminForm",
    "NavItem",
    "SignedInAdmin",
    "SignedInSteward",
    "StewardForm",
    "Workspace",
    "WorkspaceUser",
    "check_csrf",
    "render_page",
    "workspace_sessions_table",
]

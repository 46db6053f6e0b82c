"""The workspace of one service: sign-in routes, the signed-in person, CSRF, pages.

A service builds one :class:`Workspace` (its name, its sessions table, its templates and
navigation), adds :meth:`Workspace.lifespan` to its ``ServiceSpec`` and calls
:meth:`Workspace.install` on the app; its page routes then take :data:`SignedInSteward`,
:data:`SignedInAdmin`, :data:`StewardForm` or :data:`AdminForm` and answer with
:func:`render_page`.
"""

from __future__ import annotations

import hmac
import inspect
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

import httpx
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Table
from starlette.exceptions import HTTPException as StarletteHTTPException

from converge_common.app import SessionDep, http_limits
from converge_common.auth import OIDCVerifier, Principal, TokenError
from converge_common.errors import NotFound, ProblemError
from converge_common.http import create_http_client
from converge_common.settings import NodeServiceSettings
from converge_common.web import Page, Site, static_files
from converge_common.web.i18n import N_, Language, load_language
from converge_common.workspace.oidc import (
    ClientConfig,
    SignInError,
    authorization_url,
    new_code_verifier,
    redeem_code,
)
from converge_common.workspace.sessions import (
    PendingSignIn,
    SessionRepository,
    new_session_id,
    session_key,
)

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
]

logger = logging.getLogger("converge.workspace")

PENDING_S = 600
TOUCH_EVERY = timedelta(seconds=60)
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
MAX_RETURN_TO = 2048
# the portal's languages; a cookie of its own, as the workspace is on the Node's host
LOCALES = ("en", "de", "fi", "pt")
LANGUAGE_COOKIE = "workspace_lang"


@dataclass(frozen=True)
class NavItem:
    label: str
    path: str


@dataclass(frozen=True)
class WorkspaceUser:
    """The signed-in person: roles from the access token, as the API reads them."""

    principal: Principal
    name: str
    csrf_token: str
    node_id: str

    @property
    def subject(self) -> str:
        return self.principal.subject

    @property
    def is_steward(self) -> bool:
        return self.principal.has_node_role(self.node_id, "steward")

    @property
    def is_admin(self) -> bool:
        return self.principal.has_node_role(self.node_id, "admin")


class SignInRequired(Exception):
    def __init__(self, return_to: str) -> None:
        self.return_to = return_to


class NotPermitted(Exception):
    def __init__(self, user: WorkspaceUser, role: str) -> None:
        self.user = user
        self.role = role


class CsrfRejected(Exception):
    pass


class Workspace:
    """One service's workspace: what differs between the metadata and the impact service."""

    def __init__(
        self,
        *,
        service: str,
        sessions: Table,
        templates: str | None = None,
        nav: Sequence[NavItem] = (),
        prefix: str = "/workspace",
        static: str | None = None,
        translations: str | None = None,
        locales: Sequence[str] = LOCALES,
    ) -> None:
        self.service = service
        # a package whose static/ folder is served before the shared assets (a page's script)
        self.static = static
        self.sessions = sessions
        self.nav = tuple(nav)
        self.prefix = prefix.rstrip("/")
        packages = ([templates] if templates else []) + ["converge_common.workspace"]
        # the package whose translations/ hold the catalogues of every message of these pages
        # (the shared templates' too); the language is chosen as the portal chooses it
        self.translations = translations
        self.site = Site(
            packages=packages,
            static_path=f"{self.prefix}/static",
            locales=locales if translations else ("en",),
            language_cookie=LANGUAGE_COOKIE,
            language=self.language,
        )
        self._languages: dict[str, Language] = {}

    def language(self, code: str) -> Language:
        """The compiled catalogue of one of the workspace's languages (compiled once)."""
        if code not in self._languages:
            self._languages[code] = load_language(self.translations, code)
        return self._languages[code]

    # -- wiring ----------------------------------------------------------------------------

    @asynccontextmanager
    async def lifespan(self, app: FastAPI) -> AsyncIterator[None]:
        """For ``ServiceSpec.lifespans``: the app's HTTP client that redeems codes (one per
        app: several apps of one service may share this object, as a test's Nodes do)."""
        async with create_http_client(http_limits(app.state.settings)) as client:
            app.state.workspace_http = client
            try:
                yield
            finally:
                app.state.workspace_http = None

    def install(self, app: FastAPI) -> None:
        """The sign-in routes, the shared assets under ``<prefix>/static`` and the pages that
        answer a missing sign-in, a missing role and a refused form."""
        app.state.workspace = self
        app.include_router(self.router())
        assets = static_files(*([self.static] if self.static else []))
        app.mount(f"{self.prefix}/static", assets, name=f"{self.service}-workspace-static")
        app.add_exception_handler(SignInRequired, _sign_in_required)
        app.add_exception_handler(NotPermitted, _not_permitted)
        app.add_exception_handler(CsrfRejected, _csrf_rejected)
        self._install_problem_pages(app)

    def _install_problem_pages(self, app: FastAPI) -> None:
        """A problem raised by a workspace page (an unknown record: 404; a deleted one: 410)
        answers as a page in the workspace's layout, not as the API's problem+json, which the
        API's routes keep. A service's template ``problems/<slug>.html`` tells its own
        problems better than the shared ``problem.html``."""
        api_problem = app.exception_handlers[ProblemError]
        api_http = app.exception_handlers[StarletteHTTPException]

        async def problem_page(request: Request, exc: Exception) -> Response:
            assert isinstance(exc, ProblemError)
            if not self.is_page(request):
                return await _answer(api_problem(request, exc))
            return self.problem_page(request, exc)

        async def not_found_page(request: Request, exc: Exception) -> Response:
            assert isinstance(exc, StarletteHTTPException)
            if exc.status_code != 404 or not self.is_page(request):
                return await _answer(api_http(request, exc))
            return self.problem_page(request, NotFound(N_("There is no page at this address.")))

        app.add_exception_handler(ProblemError, problem_page)
        app.add_exception_handler(StarletteHTTPException, not_found_page)

    def is_page(self, request: Request) -> bool:
        """A request for one of the workspace's pages (not its assets, not a script that
        asks for JSON)."""
        path = request.url.path
        if not path.startswith(f"{self.prefix}/") or path.startswith(f"{self.prefix}/static/"):
            return False
        accept = request.headers.get("accept", "")
        return "json" not in accept or "text/html" in accept

    def problem_page(self, request: Request, problem: ProblemError) -> HTMLResponse:
        template = self.site.environment.select_template(
            [f"problems/{problem.slug}.html", "problem.html"]
        )
        response = render_page(
            request,
            getattr(request.state, "workspace_user", None),
            str(template.name),
            {"problem": problem, "path_params": dict(request.path_params)},
            status=problem.status,
        )
        for name, value in problem.headers.items():
            response.headers.setdefault(name, value)
        return response

    def router(self) -> APIRouter:
        """``GET sign-in``, ``GET callback``, ``POST sign-out``, ``GET signed-out``."""
        router = APIRouter(
            prefix=self.prefix, include_in_schema=False, default_response_class=HTMLResponse
        )
        router.add_api_route("/sign-in", sign_in, methods=["GET"])
        router.add_api_route("/callback", callback, methods=["GET"])
        router.add_api_route("/sign-out", sign_out, methods=["POST"])
        router.add_api_route("/signed-out", signed_out, methods=["GET"])
        return router

    # -- configuration ---------------------------------------------------------------------

    def cookie_name(self, settings: NodeServiceSettings) -> str:
        """One cookie per service and Node: services on one host (ports do not separate
        cookies) keep their sessions apart. ``__Host-`` (Secure, host-only, path /) outside
        development."""
        name = f"converge-{self.service}-{settings.node_id}"
        return f"__Host-{name}" if self.secure(settings) else name

    @staticmethod
    def secure(settings: NodeServiceSettings) -> bool:
        return settings.environment != "development"

    def client(self, settings: NodeServiceSettings, request: Request) -> ClientConfig:
        redirect = settings.workspace_redirect_uri
        if not redirect:
            base = settings.public_url.rstrip("/") or str(request.base_url).rstrip("/")
            redirect = f"{base}{self.prefix}/callback"
        return ClientConfig(
            client_id=settings.workspace_client_id,
            client_secret=settings.workspace_client_secret.get_secret_value(),
            redirect_uri=redirect,
            scope=settings.workspace_scope,
            resource=settings.workspace_resource or settings.oidc_audience,
        )


async def _answer(answer: Response | Awaitable[Response]) -> Response:
    """An exception handler's answer (Starlette's may be plain or awaitable)."""
    return await answer if inspect.isawaitable(answer) else answer


def _workspace(request: Request) -> Workspace:
    workspace = getattr(request.app.state, "workspace", None)
    if not isinstance(workspace, Workspace):
        raise RuntimeError("Workspace.install(app) was not called")
    return workspace


def _settings(request: Request) -> NodeServiceSettings:
    settings = request.app.state.settings
    assert isinstance(settings, NodeServiceSettings)
    return settings


def _http(request: Request) -> httpx.AsyncClient:
    client = getattr(request.app.state, "workspace_http", None)
    if not isinstance(client, httpx.AsyncClient):
        raise RuntimeError("Workspace.lifespan is not in the service's lifespans")
    return client


def _verifier(request: Request) -> OIDCVerifier | None:
    verifier = getattr(request.app.state, "verifier", None)
    return verifier if isinstance(verifier, OIDCVerifier) else None


def _now() -> datetime:
    return datetime.now(UTC)


# -- the signed-in person --------------------------------------------------------------------


async def current_user(request: Request, db: SessionDep) -> WorkspaceUser | None:
    """The person of this request's session cookie, or ``None`` (no cookie, no such session,
    expired: idle, absolute or access token)."""
    workspace = _workspace(request)
    settings = _settings(request)
    session_id = request.cookies.get(workspace.cookie_name(settings))
    verifier = _verifier(request)
    if not session_id or len(session_id) > 128 or verifier is None:
        return None
    sessions = SessionRepository(workspace.sessions, db)
    row = await sessions.get(session_key(session_id))
    if row is None or row.subject is None or row.access_token is None or row.csrf_token is None:
        return None
    now = _now()
    idle = timedelta(seconds=settings.workspace_session_idle_s)
    if now >= row.expires_at or now - row.last_seen_at >= idle:
        # deleted with the other expired ones when the sign-in page commits
        return None
    try:
        principal = await verifier.verify(row.access_token)
    except TokenError as exc:
        logger.info("workspace session ended: %s", exc, extra={"event": "workspace_token"})
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        await sessions.touch(row.key, now)
    request.state.workspace_session = row.key
    return WorkspaceUser(
        principal=principal,
        name=row.display_name or principal.subject,
        csrf_token=row.csrf_token,
        node_id=settings.node_id,
    )


OptionalUser = Annotated[WorkspaceUser | None, Depends(current_user)]


def _here(request: Request) -> str:
    if request.method != "GET":
        return f"{_workspace(request).prefix}/"
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{request.url.path}{query}"


async def signed_in_steward(request: Request, user: OptionalUser) -> WorkspaceUser:
    if user is None:
        raise SignInRequired(_here(request))
    if not user.is_steward:
        raise NotPermitted(user, "steward")
    # the page a problem raised by the route answers with shows the navigation
    request.state.workspace_user = user
    return user


async def signed_in_admin(request: Request, user: OptionalUser) -> WorkspaceUser:
    if user is None:
        raise SignInRequired(_here(request))
    if not user.is_admin:
        raise NotPermitted(user, "admin")
    request.state.workspace_user = user
    return user


SignedInSteward = Annotated[WorkspaceUser, Depends(signed_in_steward)]
"""A steward (or admin) of this service's Node, signed in; else the sign-in or refusal page."""
SignedInAdmin = Annotated[WorkspaceUser, Depends(signed_in_admin)]
"""An admin of this service's Node, signed in; else the sign-in or refusal page."""


async def _check(request: Request, expected: str) -> None:
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise CsrfRejected()


async def check_csrf(request: Request, user: OptionalUser) -> WorkspaceUser:
    """A POST from a signed-in person's own page: the session's CSRF token is in the form's
    ``csrf_token`` field (or the ``X-CSRF-Token`` header), compared in constant time."""
    if user is None:
        raise SignInRequired(_here(request))
    await _check(request, user.csrf_token)
    return user


async def steward_form(request: Request, user: SignedInSteward) -> WorkspaceUser:
    await _check(request, user.csrf_token)
    return user


async def admin_form(request: Request, user: SignedInAdmin) -> WorkspaceUser:
    await _check(request, user.csrf_token)
    return user


StewardForm = Annotated[WorkspaceUser, Depends(steward_form)]
""":data:`SignedInSteward` whose form carries the session's CSRF token (for POST routes)."""
AdminForm = Annotated[WorkspaceUser, Depends(admin_form)]
""":data:`SignedInAdmin` whose form carries the session's CSRF token (for POST routes)."""


# -- pages -----------------------------------------------------------------------------------


def render_page(
    request: Request,
    user: WorkspaceUser | None,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
) -> HTMLResponse:
    """A workspace page: the service's template (extending ``workspace.html``), with the
    person, their CSRF token, the navigation and the Node in its context."""
    workspace = _workspace(request)
    settings = _settings(request)
    response = Page(request, workspace.site).render(
        template,
        {
            **(context or {}),
            "user": user,
            "csrf_token": user.csrf_token if user else "",
            "nav": workspace.nav,
            "prefix": workspace.prefix,
            "node_id": settings.node_id,
            "node_name": settings.node_name,
        },
        status=status,
    )
    # a page of someone's session is theirs alone
    response.headers["Cache-Control"] = "no-store"
    return response


async def _sign_in_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    target = f"{_workspace(request).prefix}/sign-in?{urlencode({'next': exc.return_to})}"
    return RedirectResponse(target, status_code=303)


async def _not_permitted(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotPermitted)
    return render_page(
        request,
        exc.user,
        "refused.html",
        {"role": exc.role, "roles": sorted(exc.user.principal.roles)},
        status=403,
    )


async def _csrf_rejected(request: Request, exc: Exception) -> Response:
    return render_page(request, None, "form_expired.html", status=403)


def _message(request: Request, status: int, title: str, detail: str) -> HTMLResponse:
    return render_page(
        request, None, "message.html", {"title": title, "detail": detail}, status=status
    )


# -- sign-in routes --------------------------------------------------------------------------


def safe_return_to(value: str | None, prefix: str) -> str:
    """Only a path of this workspace: never another site (``//evil``, ``/\\evil``, a URL)."""
    home = f"{prefix}/"
    if not value or len(value) > MAX_RETURN_TO or not value.isprintable():
        return home
    if "\\" in value or value.startswith("//") or not value.startswith(home):
        return home
    return value


def _set_cookie(response: Response, request: Request, session_id: str, max_age: int) -> None:
    workspace = _workspace(request)
    settings = _settings(request)
    response.set_cookie(
        workspace.cookie_name(settings),
        session_id,
        max_age=max_age,
        path="/",
        secure=workspace.secure(settings),
        httponly=True,
        samesite="lax",
    )


async def sign_in(request: Request, db: SessionDep, user: OptionalUser) -> Response:
    workspace = _workspace(request)
    settings = _settings(request)
    return_to = safe_return_to(request.query_params.get("next"), workspace.prefix)
    if user is not None:
        return RedirectResponse(return_to, status_code=303)
    verifier = _verifier(request)
    if verifier is None or not settings.workspace_client_id:
        return _message(
            request,
            404,
            N_("The workspace is not set up"),
            N_(
                "This service has no OpenID Connect client for the workspace: its operator sets "
                "WORKSPACE_CLIENT_ID, WORKSPACE_CLIENT_SECRET and OIDC_ISSUER."
            ),
        )
    pending = PendingSignIn(
        state=secrets.token_urlsafe(24),
        nonce=secrets.token_urlsafe(24),
        code_verifier=new_code_verifier(),
        return_to=return_to,
    )
    try:
        target = await authorization_url(
            verifier,
            workspace.client(settings, request),
            state=pending.state,
            nonce=pending.nonce,
            code_verifier=pending.code_verifier,
        )
    except (httpx.HTTPError, TokenError, KeyError, ValueError) as exc:
        logger.warning("OpenID discovery failed: %s", exc, extra={"event": "workspace_discovery"})
        return _message(
            request,
            502,
            N_("Sign-in is not available just now"),
            N_("The OpenID provider could not be reached. Try again in a moment."),
        )
    sessions = SessionRepository(workspace.sessions, db)
    now = _now()
    await sessions.delete_expired(
        now, idle_since=now - timedelta(seconds=settings.workspace_session_idle_s)
    )
    if user is None and (stale := request.cookies.get(workspace.cookie_name(settings))):
        # a session whose access token expired: its tokens go now
        await sessions.delete(session_key(stale))
    session_id = new_session_id()
    await sessions.add_pending(
        session_key(session_id), pending, now=now, expires_at=now + timedelta(seconds=PENDING_S)
    )
    response = RedirectResponse(target, status_code=303)
    _set_cookie(response, request, session_id, PENDING_S)
    return response


async def callback(request: Request, db: SessionDep) -> Response:
    workspace = _workspace(request)
    settings = _settings(request)
    verifier = _verifier(request)
    cookie = request.cookies.get(workspace.cookie_name(settings))
    sessions = SessionRepository(workspace.sessions, db)
    row = await sessions.get(session_key(cookie)) if cookie and len(cookie) <= 128 else None
    pending = row.pending if row is not None else None
    again = N_("Start again from the workspace's sign-in link.")
    if row is None or pending is None or verifier is None or _now() >= row.expires_at:
        return _message(request, 400, N_("This sign-in has expired"), again)
    state = request.query_params.get("state", "")
    if not hmac.compare_digest(state.encode(), pending.state.encode()):
        return _message(request, 400, N_("This sign-in does not match"), again)
    # one try per authorization request
    await sessions.delete(row.key)
    iss = request.query_params.get("iss")
    if iss is not None and iss != verifier.issuer:
        return _message(request, 400, N_("This sign-in came from another provider"), again)
    error = request.query_params.get("error")
    code = request.query_params.get("code")
    if error or not code:
        return _message(
            request, 400, N_("The sign-in was not completed"), f"{error or 'no code'}. {again}"
        )
    try:
        signed = await redeem_code(
            verifier,
            _http(request),
            workspace.client(settings, request),
            code=code,
            code_verifier=pending.code_verifier,
            nonce=pending.nonce,
        )
        principal = await verifier.verify(signed.access_token)
    except (SignInError, TokenError) as exc:
        logger.warning("workspace sign-in failed: %s", exc, extra={"event": "workspace_sign_in"})
        return _message(request, 400, N_("The sign-in could not be completed"), again)
    if signed.id_claims.get("sub") != principal.subject:
        return _message(request, 400, N_("The sign-in could not be completed"), again)
    name = signed.id_claims.get("name")
    session_id = new_session_id()
    now = _now()
    await sessions.add_signed_in(
        session_key(session_id),
        subject=principal.subject,
        display_name=name if isinstance(name, str) and name else principal.subject,
        access_token=signed.access_token,
        id_token=signed.id_token,
        csrf_token=secrets.token_urlsafe(32),
        now=now,
        expires_at=now + timedelta(seconds=settings.workspace_session_max_s),
    )
    logger.info("signed in to the workspace", extra={"event": "workspace_signed_in"})
    response = RedirectResponse(pending.return_to, status_code=303)
    _set_cookie(response, request, session_id, settings.workspace_session_max_s)
    return response


async def sign_out(
    request: Request, db: SessionDep, user: Annotated[WorkspaceUser, Depends(check_csrf)]
) -> Response:
    workspace = _workspace(request)
    await SessionRepository(workspace.sessions, db).delete(request.state.workspace_session)
    response = RedirectResponse(f"{workspace.prefix}/signed-out", status_code=303)
    response.delete_cookie(
        workspace.cookie_name(_settings(request)),
        path="/",
        secure=workspace.secure(_settings(request)),
        httponly=True,
        samesite="lax",
    )
    return response


async def signed_out(request: Request) -> Response:
    return render_page(request, None, "signed_out.html")

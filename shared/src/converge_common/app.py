"""The one way a service becomes a FastAPI application.

``build_service_app`` wires what every service shares: settings on ``app.state``, the
database and its migrations, the OpenID verifier, error handlers, request ids, metrics,
health probes and service-info. A service adds its routers and its own lifespan resources.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from prometheus_client import CollectorRegistry
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp

from converge_common.auth import OIDCVerifier, RoleMapper
from converge_common.db import Database, upgrade_database_async
from converge_common.docs import docs_policies, install_docs
from converge_common.errors import install_error_handlers
from converge_common.headers import SecurityHeadersMiddleware
from converge_common.http import HttpLimits, create_http_client
from converge_common.inputs import check_request_text
from converge_common.limits import RequestLimits, RequestLimitsMiddleware
from converge_common.observability import (
    HealthChecks,
    Organization,
    ServiceInfo,
    ServiceType,
    configure_logging,
    health_router,
    install_observability,
)
from converge_common.openapi import document_problems
from converge_common.pagination import keyset_tokens
from converge_common.ratelimit import (
    RateLimiter,
    RateLimitHeadersMiddleware,
    RateLimitMetrics,
    RateLimitSettings,
)
from converge_common.settings import BaseServiceSettings

__all__ = ["Lifespan", "ServiceSpec", "SessionDep", "build_service_app", "get_session"]

logger = logging.getLogger("converge.app")

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


@dataclass
class ServiceSpec:
    """What makes one service different from another."""

    name: str
    title: str
    version: str
    description: str
    routers: Sequence[APIRouter] = ()
    migrations: Path | None = None
    # a service with migrations has a database; the gateway has neither
    database: bool | None = None
    lifespans: Sequence[Lifespan] = ()
    openapi_tags: list[dict[str, Any]] = field(default_factory=list)
    # routes (exact paths) whose bodies may exceed ``request_max_body_bytes``, with their caps
    body_limits: Mapping[str, int] = field(default_factory=dict)


def http_limits(settings: BaseServiceSettings) -> HttpLimits:
    return HttpLimits(
        connect_s=settings.http_connect_timeout_s,
        read_s=settings.http_read_timeout_s,
        total_s=settings.http_total_timeout_s,
        max_bytes=settings.http_max_response_bytes,
        retries=settings.http_retries,
    )


def _service_info(spec: ServiceSpec, settings: BaseServiceSettings) -> ServiceInfo:
    node = getattr(settings, "node_id", None)
    return ServiceInfo(
        id=f"org.elixir-europe.converge.{spec.name}" + (f".{node}" if node else ""),
        name=spec.title + (f" ({node})" if node else ""),
        type=ServiceType(artifact=spec.name, version=spec.version),
        description=spec.description,
        organization=Organization(name="ELIXIR", url="https://elixir-europe.org"),
        version=spec.version,
        environment=settings.environment,
        documentationUrl=(settings.public_url.rstrip("/") + "/docs")
        if settings.public_url
        else None,
    )


class _ServiceApp(FastAPI):
    """FastAPI with the security headers outside every other layer: the 500 that Starlette's
    outermost error middleware sends gets them too."""

    security_headers: dict[str, Any] = {}

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeadersMiddleware(super().build_middleware_stack(), **self.security_headers)


def build_service_app(settings: BaseServiceSettings, spec: ServiceSpec) -> FastAPI:
    checks = HealthChecks()
    registry = CollectorRegistry()
    rate_metrics = RateLimitMetrics(registry) if isinstance(settings, RateLimitSettings) else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(level=settings.log_level, as_json=settings.log_json, service=spec.name)
        async with AsyncExitStack() as stack:
            if spec.database or (spec.database is None and spec.migrations is not None):
                if spec.migrations is not None and settings.auto_migrate:
                    await upgrade_database_async(spec.migrations, settings.database_url)
                db = Database.from_url(
                    settings.database_url,
                    pool_size=settings.database_pool_size,
                    connect_timeout_s=settings.database_connect_timeout_s,
                )
                stack.push_async_callback(db.dispose)
                app.state.db = db
                checks.add("database", db.ping)
            if settings.oidc_issuer:
                auth_client = create_http_client(http_limits(settings))
                stack.push_async_callback(auth_client.aclose)
                app.state.verifier = OIDCVerifier(
                    issuer=settings.oidc_issuer,
                    audience=settings.oidc_audience,
                    client=auth_client,
                    algorithms=settings.oidc_algorithms,
                    leeway_s=settings.oidc_leeway_s,
                    jwks_cache_s=settings.oidc_jwks_cache_s,
                    min_refresh_s=settings.oidc_jwks_min_refresh_s,
                    role_mapper=RoleMapper(settings.oidc_role_rules),
                )
            if isinstance(settings, RateLimitSettings) and rate_metrics is not None:
                app.state.rate_limiter = RateLimiter.from_settings(
                    settings, metrics=rate_metrics, namespace=spec.name
                )
            for extra in spec.lifespans:
                await stack.enter_async_context(extra(app))
            logger.info("%s started", spec.name, extra={"event": "started"})
            yield
        logger.info("%s stopped", spec.name, extra={"event": "stopped"})

    app = _ServiceApp(
        title=spec.title,
        version=spec.version,
        description=spec.description,
        lifespan=lifespan,
        # served by install_docs from the service itself, not from a CDN
        docs_url=None,
        redoc_url=None,
        openapi_tags=spec.openapi_tags or None,
        # one check of every caller's text (parameters and JSON bodies) for every route
        dependencies=[Depends(check_request_text)],
    )
    app.security_headers = {
        "api_policy": settings.content_security_policy,
        "page_policy": settings.page_content_security_policy,
        "path_policies": docs_policies(),
    }
    app.state.settings = settings
    app.state.node_id = getattr(settings, "node_id", None)
    app.state.verifier = None
    app.state.health = checks
    app.state.metrics_registry = registry
    app.state.keyset_tokens = keyset_tokens(settings.secret_key.get_secret_value())
    install_error_handlers(app)
    install_docs(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "X-Request-ID"],
            expose_headers=[
                "ETag",
                "Location",
                "X-Request-ID",
                "Retry-After",
                "RateLimit",
                "RateLimit-Policy",
            ],
        )
    limits = RequestLimits(
        max_url_bytes=settings.request_max_url_bytes,
        max_header_bytes=settings.request_max_header_bytes,
        max_body_bytes=settings.request_max_body_bytes,
        body_by_path=spec.body_limits,
    )
    # inside the request id and metrics middleware, so refusals are logged and counted
    app.add_middleware(RequestLimitsMiddleware, limits=limits)
    app.add_middleware(RateLimitHeadersMiddleware)
    install_observability(app, registry=registry, service=spec.name)
    app.include_router(
        health_router(checks=checks, registry=registry, service_info=_service_info(spec, settings))
    )
    for router in spec.routers:
        app.include_router(router)
    has_database = bool(spec.database or (spec.database is None and spec.migrations is not None))
    document_problems(app, database=has_database)
    return app


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: the only place that commits."""
    db: Database = request.app.state.db
    async for session in db.session():
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]

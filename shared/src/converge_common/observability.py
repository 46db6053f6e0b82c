"""Request ids, JSON logs, Prometheus metrics, health probes and GA4GH service-info."""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from pydantic import BaseModel, Field
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "REQUEST_ID_HEADER",
    "HealthChecks",
    "MetricsMiddleware",
    "Organization",
    "RequestIdMiddleware",
    "ServiceInfo",
    "ServiceType",
    "configure_logging",
    "current_request_id",
    "health_router",
]

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID = contextvars.ContextVar[str | None]("request_id", default=None)
_VALID_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def current_request_id() -> str | None:
    return _REQUEST_ID.get()


class RequestIdMiddleware:
    """Accepts a sane ``X-Request-ID`` or makes one; echoes it and puts it in every log line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = ""
        for key, value in scope["headers"]:
            if key == b"x-request-id":
                incoming = value.decode("latin-1")
                break
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        token = _REQUEST_ID.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _REQUEST_ID.reset(token)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if (rid := _REQUEST_ID.get()) is not None:
            entry["request_id"] = rid
        for key in ("service", "node", "route", "status", "duration_ms", "event"):
            if (value := record.__dict__.get(key)) is not None:
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(*, level: str = "INFO", as_json: bool = True, service: str = "") -> None:
    handler = logging.StreamHandler(sys.stderr)
    if as_json:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    if service:
        logging.getLogger("converge").info("logging configured", extra={"service": service})


class MetricsMiddleware:
    """Request counts and latency histograms labelled by route template, never raw path."""

    def __init__(self, app: ASGIApp, *, registry: CollectorRegistry, service: str) -> None:
        self.app = app
        self.service = service
        self.requests = Counter(
            "http_requests_total",
            "HTTP requests handled",
            ["service", "method", "route", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency",
            ["service", "method", "route"],
            registry=registry,
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )

    def _route_template(self, scope: Scope) -> str:
        app = scope.get("app")
        router = getattr(app, "router", None)
        for route in getattr(router, "routes", []):
            match, _ = route.matches(scope)
            if match == Match.FULL:
                return str(getattr(route, "path", "unmatched"))
        return "unmatched"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or self._route_template(scope)
            method = scope.get("method", "GET")
            self.latency.labels(self.service, method, template).observe(time.perf_counter() - start)
            self.requests.labels(self.service, method, template, str(status)).inc()


ReadinessCheck = Callable[[], Awaitable[None]]


class HealthChecks:
    """Named readiness checks; a check raises when its dependency is down."""

    def __init__(self, *, timeout_s: float = 5.0) -> None:
        self._checks: dict[str, ReadinessCheck] = {}
        self.timeout_s = timeout_s

    def add(self, name: str, check: ReadinessCheck) -> None:
        self._checks[name] = check

    async def run(self) -> tuple[bool, dict[str, str]]:
        results: dict[str, str] = {}
        ok = True
        for name, check in self._checks.items():
            try:
                # a dependency that hangs is as down as one that refuses
                async with asyncio.timeout(self.timeout_s):
                    await check()
                results[name] = "ok"
            except Exception as exc:
                ok = False
                results[name] = f"down: {type(exc).__name__}"
        return ok, results


class Organization(BaseModel):
    name: str
    url: str


class ServiceType(BaseModel):
    group: str = "org.elixir-europe.converge"
    artifact: str
    version: str


class ServiceInfo(BaseModel):
    """GA4GH service-info 1.0."""

    id: str
    name: str
    type: ServiceType
    description: str
    organization: Organization
    version: str
    environment: str
    contactUrl: str | None = None
    documentationUrl: str | None = None
    createdAt: datetime | None = None
    updatedAt: datetime | None = None
    extra: dict[str, Any] = Field(default_factory=dict, exclude=True)


def health_router(
    *, checks: HealthChecks, registry: CollectorRegistry, service_info: ServiceInfo
) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/livez", summary="Liveness: the process is up")
    async def livez() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/readyz",
        summary="Readiness: the database and other dependencies answer",
        responses={503: {"description": "A dependency is down"}},
    )
    async def readyz() -> JSONResponse:
        ok, results = await checks.run()
        return JSONResponse(
            {"status": "ok" if ok else "unavailable", "checks": results},
            status_code=200 if ok else 503,
        )

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    @router.get(
        "/service-info",
        summary="GA4GH service-info",
        response_model=ServiceInfo,
        response_model_exclude_none=True,
    )
    async def service_info_endpoint(request: Request) -> ServiceInfo:
        return service_info

    return router


def install_observability(app: FastAPI, *, registry: CollectorRegistry, service: str) -> None:
    app.add_middleware(MetricsMiddleware, registry=registry, service=service)
    app.add_middleware(RequestIdMiddleware)

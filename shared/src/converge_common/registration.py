"""A Node's service joins the federation: register, heartbeat, leave.

When a service is configured with the registry's URL and the Node's client credentials, its
lifespan starts :class:`RegistryRegistration` in the background: it gets a client-credentials
token (token endpoint from the issuer's discovery document, ``resource`` = the registry's
audience, ``scope`` = ``node:<node>:admin``, the role the registry requires of the Node's
services just as the Node's own services do), ``PUT``s the service's registration, heartbeats
every interval (backing off while the registry is unreachable, registering again when the
registry forgot it), and ``DELETE``s the registration on graceful shutdown. Every failure is
logged; none stops the service.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI

from converge_common.app import Lifespan
from converge_common.auth import node_role
from converge_common.periodic import PeriodicTask
from converge_common.settings import NodeServiceSettings

with warnings.catch_warnings():
    # authlib's httpx integration announces a future move to httpx2 (it works with httpx);
    # its deprecate module installs an "always" filter on import, so import it first
    import authlib.deprecate  # type: ignore[import-untyped]  # noqa: F401

    warnings.simplefilter("ignore")
    from authlib.integrations.httpx_client import (  # type: ignore[import-untyped]
        AsyncOAuth2Client,
    )

__all__ = [
    "RegistrationConfig",
    "RegistryRegistration",
    "registration_lifespan",
]

logger = logging.getLogger("converge.registration")

MAX_BACKOFF_S = 300.0


@dataclass(frozen=True)
class RegistrationConfig:
    registry_url: str
    node_id: str
    kind: str
    public_url: str
    api_version: str
    client_id: str
    client_secret: str
    issuer: str
    audience: str
    heartbeat_interval_s: float = 60.0
    capabilities: dict[str, Any] = field(default_factory=dict)
    timeout_s: float = 5.0

    @property
    def scope(self) -> str:
        """The role the registry requires to act for the Node (converge_common.auth)."""
        return node_role(self.node_id, "admin")

    @property
    def service_url(self) -> str:
        base = self.registry_url.rstrip("/")
        return f"{base}/api/v1/nodes/{self.node_id}/services/{self.kind}"

    @classmethod
    def from_settings(
        cls,
        settings: NodeServiceSettings,
        *,
        kind: str,
        api_version: str,
        capabilities: dict[str, Any] | None = None,
    ) -> RegistrationConfig | None:
        """The configuration, or ``None`` when the service is not set up to join."""
        secret = settings.client_secret.get_secret_value()
        wanted = (settings.registry_url, settings.client_id, secret, settings.public_url)
        if not all(wanted) or not settings.oidc_issuer:
            return None
        return cls(
            registry_url=settings.registry_url,
            node_id=settings.node_id,
            kind=kind,
            public_url=settings.public_url,
            api_version=api_version,
            client_id=settings.client_id,
            client_secret=secret,
            issuer=settings.oidc_issuer,
            audience=settings.registry_audience or settings.oidc_audience,
            heartbeat_interval_s=settings.heartbeat_interval_s,
            capabilities=capabilities or {},
            timeout_s=settings.http_connect_timeout_s + settings.http_read_timeout_s,
        )


class RegistryRegistration:
    """Keeps one service registered while the process runs."""

    def __init__(
        self, config: RegistrationConfig, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.config = config
        self._client = AsyncOAuth2Client(
            config.client_id,
            config.client_secret,
            timeout=config.timeout_s,
            transport=transport,
            follow_redirects=False,
        )
        self._token_endpoint: str | None = None
        self._token: dict[str, Any] | None = None
        self.registered = False
        self._failures = 0
        self.task = PeriodicTask(
            self._round,
            name=f"registration-{config.kind}",
            interval_s=config.heartbeat_interval_s,
            stop_timeout_s=config.timeout_s,
            log=logger,
        )

    async def _bearer(self) -> dict[str, str]:
        token = self._token
        if token is None or float(token.get("expires_at", 0)) - 60 < time.time():
            if self._token_endpoint is None:
                url = self.config.issuer.rstrip("/") + "/.well-known/openid-configuration"
                response = await self._client.request("GET", url, withhold_token=True)
                response.raise_for_status()
                self._token_endpoint = str(response.json()["token_endpoint"])
            token = dict(
                await self._client.fetch_token(
                    self._token_endpoint,
                    grant_type="client_credentials",
                    resource=self.config.audience,
                    scope=self.config.scope,
                )
            )
            self._token = token
        return {"Authorization": f"Bearer {token['access_token']}"}

    async def _call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = await self._bearer()
        response: httpx.Response = await self._client.request(
            method, url, headers=headers, withhold_token=True, **kwargs
        )
        if response.status_code == 401:
            # the registry refused the token (rotated keys, revoked): try once with a fresh one
            self._token = None
            headers = await self._bearer()
            response = await self._client.request(
                method, url, headers=headers, withhold_token=True, **kwargs
            )
        return response

    async def register(self) -> bool:
        body = {
            "base_url": self.config.public_url,
            "api_version": self.config.api_version,
            "capabilities": self.config.capabilities,
        }
        response = await self._call("PUT", self.config.service_url, json=body)
        self.registered = response.status_code in (200, 201)
        if not self.registered:
            logger.warning(
                "registry refused the registration: HTTP %s %s",
                response.status_code,
                response.text[:300],
                extra={"event": "registration_refused"},
            )
        return self.registered

    async def heartbeat(self) -> bool:
        response = await self._call("POST", self.config.service_url + "/heartbeat")
        if response.status_code == 404:
            self.registered = False
        return response.status_code in (200, 204)

    async def deregister(self) -> bool:
        response = await self._call("DELETE", self.config.service_url)
        self.registered = False
        return response.status_code in (200, 204, 404)

    async def _beat(self) -> bool:
        try:
            if not self.registered:
                return await self.register()
            return await self.heartbeat() or await self.register()
        except Exception as exc:
            # network errors, token errors (authlib's OAuthError), a malformed discovery
            # document: all the same to the service, which keeps serving and tries again
            logger.warning(
                "registry call failed: %s: %s",
                type(exc).__name__,
                exc,
                extra={"event": "registration_failed"},
            )
            return False

    async def _round(self) -> float:
        """Register or heartbeat; the next beat comes sooner (with back-off) while failing."""
        ok = await self._beat()
        self._failures = 0 if ok else self._failures + 1
        delay = self.config.heartbeat_interval_s
        if self._failures:
            delay = min(MAX_BACKOFF_S, delay, 2.0 * 2 ** min(self._failures, 8))
        return delay * (0.9 + 0.2 * random.random())

    def start(self) -> None:
        self.task.start()

    async def stop(self) -> None:
        await self.task.stop()
        try:
            if self.registered:
                async with asyncio.timeout(self.config.timeout_s):
                    await self.deregister()
                logger.info("left the registry", extra={"event": "deregistered"})
        except Exception as exc:
            logger.warning("could not deregister: %s", exc, extra={"event": "deregister_failed"})
        finally:
            await self._client.aclose()


def registration_lifespan(
    *, kind: str, api_version: str, capabilities: dict[str, Any] | None = None
) -> Lifespan:
    """A lifespan that keeps the service registered when its settings say how."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings: NodeServiceSettings = app.state.settings
        config = RegistrationConfig.from_settings(
            settings, kind=kind, api_version=api_version, capabilities=capabilities
        )
        if config is None:
            app.state.registration = None
            yield
            return
        registration = RegistryRegistration(config)
        app.state.registration = registration
        registration.start()
        try:
            yield
        finally:
            await registration.stop()

    return lifespan

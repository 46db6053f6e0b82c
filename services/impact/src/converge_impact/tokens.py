"""This service's own client-credentials token, for calls to the Node's metadata service.

The token endpoint comes from the issuer's discovery document; the token is asked for with
``resource`` = the metadata service's audience and the least ``scope`` the call needs (the
derived indicators: the Node's steward role, as the statistics include records under a running
embargo; the usage feed: the Node's admin role), and reused until a minute before it expires.
The same flow as ``converge_common.registration``, which keeps its own token for the registry.
"""

from __future__ import annotations

import asyncio
import base64
import time
from urllib.parse import quote

import httpx
from converge_common.http import HttpLimits, fetch
from pydantic import BaseModel, Field, ValidationError

__all__ = ["ClientCredentials", "TokenUnavailable"]


class TokenUnavailable(Exception):
    """No token could be had (no credentials, issuer down, refused)."""


class _Discovery(BaseModel):
    issuer: str
    token_endpoint: str = Field(pattern=r"^https?://")


class _TokenAnswer(BaseModel):
    access_token: str = Field(min_length=10, max_length=20_000)
    token_type: str
    expires_in: int = Field(default=300, ge=1)


class ClientCredentials:
    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        issuer: str,
        client_id: str,
        client_secret: str,
        audience: str,
        scope: str,
        limits: HttpLimits,
    ) -> None:
        self._client = client
        self._issuer = issuer
        self._id = client_id
        self._secret = client_secret
        self._audience = audience
        self._scope = scope
        self._limits = limits
        self._endpoint: str | None = None
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    @property
    def configured(self) -> bool:
        return bool(self._issuer and self._id and self._secret and self._audience)

    def forget(self) -> None:
        """The token was refused: the next call gets a fresh one."""
        self._token = None

    async def header(self) -> dict[str, str]:
        if not self.configured:
            raise TokenUnavailable("no issuer, client id, secret or audience configured")
        async with self._lock:
            if self._token is None or self._expires_at - 60 < time.time():
                await self._fetch()
            return {"Authorization": f"Bearer {self._token}"}

    def _basic(self) -> str:
        # RFC 6749 2.3.1: the id and secret form-encoded, then HTTP Basic
        pair = f"{quote(self._id, safe='')}:{quote(self._secret, safe='')}".encode()
        return "Basic " + base64.b64encode(pair).decode()

    async def _fetch(self) -> None:
        try:
            if self._endpoint is None:
                url = self._issuer.rstrip("/") + "/.well-known/openid-configuration"
                response = await fetch(self._client, "GET", url, limits=self._limits)
                response.raise_for_status()
                discovery = _Discovery.model_validate_json(response.content)
                if discovery.issuer != self._issuer:
                    raise TokenUnavailable("the discovery document names another issuer")
                self._endpoint = discovery.token_endpoint
            response = await fetch(
                self._client,
                "POST",
                self._endpoint,
                limits=self._limits,
                headers={"Authorization": self._basic()},
                data={
                    "grant_type": "client_credentials",
                    "resource": self._audience,
                    "scope": self._scope,
                },
            )
            if response.status_code != 200:
                raise TokenUnavailable(f"the token endpoint answered HTTP {response.status_code}")
            answer = _TokenAnswer.model_validate_json(response.content)
        except (httpx.HTTPError, ValidationError) as exc:
            raise TokenUnavailable(f"{type(exc).__name__}: {exc}"[:300]) from exc
        if answer.token_type.lower() != "bearer":
            raise TokenUnavailable(f"token type {answer.token_type!r} is not bearer")
        self._token = answer.access_token
        self._expires_at = time.time() + answer.expires_in

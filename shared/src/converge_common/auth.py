"""OpenID Connect bearer-token validation, principals and roles.

Tokens are JWTs validated against the issuer's discovery document and JWKS (cached, re-fetched
on an unknown ``kid`` at most once per short interval). Algorithms are pinned to an allow-list
(RS256, ES256: never ``none``, never HS*). ``iss`` must match exactly, ``aud`` and ``exp`` are
required, ``nbf`` is honoured, with a small leeway.

Roles come from scopes and from ``eduperson_entitlement`` values: ``federation:admin``,
``node:<node>:admin``, ``node:<node>:steward`` and ``controlled:read`` grant themselves;
configured :class:`~converge_common.settings.RoleRule` patterns map other values (e.g. Life
Science Login group entitlements) to the same roles.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

import httpx
from fastapi import Depends, Request
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from converge_common.errors import Forbidden, Unauthorized
from converge_common.settings import RoleRule

__all__ = [
    "CONTROLLED_READER",
    "FEDERATION_ADMIN",
    "CurrentPrincipal",
    "OIDCVerifier",
    "OptionalPrincipal",
    "Principal",
    "RequireFederationAdmin",
    "RequireNodeAdmin",
    "RequireNodeSteward",
    "RoleMapper",
    "TokenError",
    "node_role",
]

logger = logging.getLogger("converge.auth")

FEDERATION_ADMIN = "federation:admin"
CONTROLLED_READER = "controlled:read"
FORBIDDEN_ALGORITHMS = frozenset({"none", "HS256", "HS384", "HS512"})
_ROLE = re.compile(
    r"^(federation:admin|controlled:read|node:[a-z0-9][a-z0-9-]{0,62}:(admin|steward))$"
)


def node_role(node_id: str, role: str) -> str:
    return f"node:{node_id}:{role}"


@dataclass(frozen=True)
class Principal:
    """Who is calling: a person (authorization code) or a service (client credentials)."""

    subject: str
    client_id: str | None
    scopes: frozenset[str]
    entitlements: tuple[str, ...]
    roles: frozenset[str]
    claims: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_federation_admin(self) -> bool:
        return FEDERATION_ADMIN in self.roles

    def has_node_role(self, node_id: str, role: str) -> bool:
        """``steward`` is also granted to the Node's admins."""
        wanted = {node_role(node_id, role)}
        if role == "steward":
            wanted.add(node_role(node_id, "admin"))
        return bool(self.roles & wanted)

    @property
    def can_read_controlled(self) -> bool:
        return CONTROLLED_READER in self.roles

    @property
    def node_ids(self) -> frozenset[str]:
        return frozenset(r.split(":")[1] for r in self.roles if r.startswith("node:"))


class RoleMapper:
    """Scopes and entitlements -> roles."""

    def __init__(self, rules: Sequence[RoleRule] = ()) -> None:
        self._rules = [(re.compile(r.pattern), r.role) for r in rules]

    def roles(self, scopes: Iterable[str], entitlements: Iterable[str]) -> frozenset[str]:
        found: set[str] = set()
        for value in (*scopes, *entitlements):
            if _ROLE.match(value):
                found.add(value)
        for value in entitlements:
            for pattern, template in self._rules:
                if m := pattern.fullmatch(value):
                    role = template.format(**m.groupdict())
                    if _ROLE.match(role):
                        found.add(role)
        return frozenset(found)


class TokenError(Exception):
    """Why a token was refused (logged; the caller only learns it is invalid)."""


def _header(token: str) -> dict[str, Any]:
    try:
        head = token.split(".", 1)[0]
        value = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (ValueError, UnicodeDecodeError) as exc:
        raise TokenError("malformed token header") from exc
    if not isinstance(value, dict):
        raise TokenError("malformed token header")
    return value


class OIDCVerifier:
    """Validates access tokens of one issuer for one audience."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        client: httpx.AsyncClient,
        algorithms: Sequence[str] = ("RS256", "ES256"),
        leeway_s: int = 30,
        jwks_cache_s: float = 3600,
        min_refresh_s: float = 10,
        role_mapper: RoleMapper | None = None,
    ) -> None:
        unsafe = FORBIDDEN_ALGORITHMS & set(algorithms)
        if unsafe:
            raise ValueError(f"algorithms {sorted(unsafe)} are never accepted")
        self.issuer = issuer
        self.audience = audience
        self.algorithms = tuple(algorithms)
        self.leeway_s = leeway_s
        self._client = client
        self._jwks_cache_s = jwks_cache_s
        self._min_refresh_s = min_refresh_s
        self._roles = role_mapper or RoleMapper()
        self._jwks_uri: str | None = None
        self._document: dict[str, Any] | None = None
        self._keys: KeySet | None = None
        self._kids: set[str] = set()
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    async def discovery(self) -> dict[str, Any]:
        """The issuer's discovery document (fetched once; it must name this issuer)."""
        if self._document is None:
            url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
            response = await self._client.get(url)
            response.raise_for_status()
            document = response.json()
            if not isinstance(document, dict) or document.get("issuer") != self.issuer:
                raise TokenError("discovery document names another issuer")
            self._document = document
        return self._document

    async def _discover(self) -> str:
        if self._jwks_uri is None:
            self._jwks_uri = str((await self.discovery())["jwks_uri"])
        return self._jwks_uri

    async def _refresh(self, *, force: bool) -> None:
        async with self._lock:
            age = time.monotonic() - self._fetched_at
            if self._keys is not None and age < (
                self._min_refresh_s if force else self._jwks_cache_s
            ):
                return
            uri = await self._discover()
            response = await self._client.get(uri)
            response.raise_for_status()
            keys = KeySet.import_key_set(response.json())
            self._keys = keys
            self._kids = {str(k.kid) for k in keys.keys if k.kid}
            self._fetched_at = time.monotonic()
            logger.info("fetched JWKS", extra={"event": "jwks_refresh"})

    async def _key_for(self, kid: str) -> KeySet:
        try:
            await self._refresh(force=False)
            if kid not in self._kids:
                await self._refresh(force=True)
        except (httpx.HTTPError, ValueError, KeyError, JoseError) as exc:
            raise TokenError(f"issuer keys unavailable: {type(exc).__name__}") from exc
        if kid not in self._kids or self._keys is None:
            raise TokenError("unknown kid")
        return self._keys

    async def verify(self, token: str) -> Principal:
        header = _header(token)
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in self.algorithms:
            raise TokenError(f"algorithm {alg!r} not allowed")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenError("token has no kid")
        keys = await self._key_for(kid)
        try:
            decoded = jwt.decode(token, keys, algorithms=[alg])
            registry = jwt.JWTClaimsRegistry(
                leeway=self.leeway_s,
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": self.audience},
                exp={"essential": True},
                sub={"essential": True},
            )
            registry.validate(decoded.claims)
        except (JoseError, ValueError) as exc:
            raise TokenError(f"{type(exc).__name__}: {exc}") from exc
        return self.principal(decoded.claims)

    async def verify_id_token(self, token: str, *, client_id: str, nonce: str) -> dict[str, Any]:
        """The claims of an OpenID Connect ID token issued to ``client_id`` for the sign-in
        that sent ``nonce`` (Core 1.0 section 3.1.3.7: ``iss``, ``aud``, ``exp``, ``nonce``;
        signed with an allowed algorithm by a key of the issuer)."""
        header = _header(token)
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in self.algorithms:
            raise TokenError(f"algorithm {alg!r} not allowed")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenError("token has no kid")
        keys = await self._key_for(kid)
        try:
            decoded = jwt.decode(token, keys, algorithms=[alg])
            jwt.JWTClaimsRegistry(
                leeway=self.leeway_s,
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": client_id},
                exp={"essential": True},
                sub={"essential": True},
                nonce={"essential": True, "value": nonce},
            ).validate(decoded.claims)
        except (JoseError, ValueError) as exc:
            raise TokenError(f"ID token: {type(exc).__name__}: {exc}") from exc
        return dict(decoded.claims)

    def principal(self, claims: dict[str, Any]) -> Principal:
        """The caller named by validated claims; a claim of a type no specification allows
        is a :class:`TokenError` (never guessed at: an object's keys are not roles)."""
        scopes = frozenset(_scope_claim(claims.get("scope")))
        entitlements = _string_or_strings(
            claims.get("eduperson_entitlement"), "eduperson_entitlement"
        )
        client_id = claims.get("client_id") or claims.get("azp")
        if client_id is not None and not isinstance(client_id, str):
            raise TokenError("claim client_id/azp must be a string")
        if not isinstance(claims.get("sub"), str):
            raise TokenError("claim sub must be a string")
        return Principal(
            subject=str(claims["sub"]),
            client_id=str(client_id) if client_id else None,
            scopes=scopes,
            entitlements=entitlements,
            roles=self._roles.roles(scopes, entitlements),
            claims=claims,
        )


def _scope_claim(value: Any) -> list[str]:
    """``scope`` is a space-separated string (RFC 8693 section 4.2, RFC 9068 section 2.2.3);
    some issuers send a list of strings, which is accepted too."""
    if value is None:
        return []
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [part for v in value for part in v.split()]
    raise TokenError(f"claim scope must be a string or a list of strings, not {_kind(value)}")


def _string_or_strings(value: Any, name: str) -> tuple[str, ...]:
    """A multi-valued claim such as ``eduperson_entitlement``: one string or an array of them."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise TokenError(f"claim {name} must be a string or a list of strings, not {_kind(value)}")


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list with non-string items"
    return type(value).__name__


async def optional_principal(request: Request) -> Principal | None:
    """The caller, or ``None`` when no token was sent. A bad token is always a 401."""
    value = request.headers.get("authorization")
    if value is None:
        return None
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("The Authorization header must be 'Bearer <token>'")
    verifier: OIDCVerifier | None = getattr(request.app.state, "verifier", None)
    if verifier is None:
        raise Unauthorized("This service has no OpenID issuer configured; tokens cannot be checked")
    try:
        principal = await verifier.verify(token.strip())
    except TokenError as exc:
        logger.info("token refused: %s", exc, extra={"event": "token_refused"})
        raise Unauthorized("The bearer token is invalid or expired") from exc
    request.state.principal = principal
    return principal


async def require_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if principal is None:
        raise Unauthorized("This operation needs a bearer token")
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
CurrentPrincipal = Annotated[Principal, Depends(require_principal)]


async def require_federation_admin(principal: CurrentPrincipal) -> Principal:
    if not principal.is_federation_admin:
        raise Forbidden("This operation needs the federation admin role")
    return principal


def _this_node(request: Request) -> str:
    node_id = getattr(request.app.state, "node_id", None)
    if not node_id:
        raise Forbidden("This service is not configured with a Node id")
    return str(node_id)


async def require_node_steward(request: Request, principal: CurrentPrincipal) -> Principal:
    node_id = _this_node(request)
    if not principal.has_node_role(node_id, "steward"):
        raise Forbidden(f"This operation needs the steward role for Node {node_id!r}")
    return principal


async def require_node_admin(request: Request, principal: CurrentPrincipal) -> Principal:
    node_id = _this_node(request)
    if not principal.has_node_role(node_id, "admin"):
        raise Forbidden(f"This operation needs the admin role for Node {node_id!r}")
    return principal


RequireFederationAdmin = Annotated[Principal, Depends(require_federation_admin)]
RequireNodeSteward = Annotated[Principal, Depends(require_node_steward)]
RequireNodeAdmin = Annotated[Principal, Depends(require_node_admin)]

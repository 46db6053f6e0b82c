"""Driver for the local OpenID provider used by the test suite (``tests/oidc/provider.mjs``).

The provider is the real ``oidc-provider`` npm package run under Node.js; this module starts it
as a subprocess, obtains tokens from it over real HTTP (client credentials, authorization code
with PKCE and a non-interactive ``login_hint`` login), rotates its signing keys, and forges
tokens (expired, wrong issuer, ``alg: none``, HS256 key confusion, ...) for negative tests.

Behaviour of the provider that token validators must expect:

* access tokens are RFC 9068 JWTs with the header ``typ: at+jwt``; claims ``iss``, ``aud``
  (a single string, the resource URI), ``sub`` (account id, or the client id for client
  credentials), ``client_id``, ``scope`` (omitted when no scope was granted), ``iat``, ``exp``,
  ``jti``; user tokens also carry ``eduperson_entitlement``;
* granted scope = requested ∩ client's ``scope`` ∩ resource's scopes, with anything else
  dropped silently; ``openid``/``profile``/``email`` never reach the access token.

The pytest fixtures live elsewhere; this module has no pytest dependency.
"""

from __future__ import annotations

import base64
import collections
import contextlib
import hashlib
import hmac
import json
import os
import queue
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal, Self
from urllib.parse import parse_qs, quote, urljoin, urlsplit

import httpx
from joserfc import jwt
from joserfc.jwk import ECKey, Key, RSAKey, import_key

__all__ = [
    "OIDCClient",
    "OIDCProvider",
    "OIDCProviderError",
    "generate_jwk",
    "public_jwk",
    "token_alg_none",
    "token_hs256_with_public_key",
]

_STARTUP_TIMEOUT = 20.0
_HTTP_TIMEOUT = 10.0
_MAX_REDIRECTS = 10
_PROVIDER_SCRIPT = "provider.mjs"


class OIDCProviderError(RuntimeError):
    """An HTTP request to the provider did not give the expected answer."""

    def __init__(self, message: str, *, status_code: int | None = None, body: str = "") -> None:
        status = "" if status_code is None else f" (HTTP {status_code})"
        super().__init__(f"{message}{status}: {body[:2000]}")
        self.status_code = status_code
        self.body = body
        self.error: str | None = None
        self.error_description: str | None = None
        with contextlib.suppress(ValueError):
            data = json.loads(body)
            if isinstance(data, dict):
                self.error = data.get("error")
                self.error_description = data.get("error_description")


@dataclass
class OIDCClient:
    """A client registered at the provider.

    ``scope`` is the space-separated list of scopes the client may obtain; it is also what
    :meth:`OIDCProvider.client_credentials_token` requests when no scope is given.
    """

    client_id: str
    client_secret: str | None
    grant_types: list[str]
    scope: str
    redirect_uris: list[str] = field(default_factory=list)
    token_endpoint_auth_method: str = "client_secret_basic"
    # "native": a loopback redirect URI matches on any port (RFC 8252 section 7.3), for
    # services started on ephemeral ports
    application_type: str = "web"

    def to_config(self) -> dict[str, Any]:
        return {
            "application_type": self.application_type,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "grant_types": list(self.grant_types),
            "redirect_uris": list(self.redirect_uris),
            "scope": self.scope,
            "token_endpoint_auth_method": self.token_endpoint_auth_method,
        }


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_json(data: dict[str, Any]) -> str:
    return _b64url(json.dumps(data, separators=(",", ":")).encode("utf-8"))


def generate_jwk(kind: Literal["RS256", "ES256"], kid: str | None = None) -> dict[str, Any]:
    """A fresh private JWK (dict) with ``kid``, ``alg`` and ``use: sig``."""
    key: Key
    if kind == "RS256":
        key = RSAKey.generate_key(2048, private=True)
    elif kind == "ES256":
        key = ECKey.generate_key("P-256", private=True)
    else:  # pragma: no cover - guarded by the Literal type
        raise ValueError(f"unsupported key kind {kind!r}")
    data = dict(key.as_dict(private=True))
    data["kid"] = kid or f"{kind.lower()}-{key.thumbprint()[:16]}"
    data["alg"] = kind
    data["use"] = "sig"
    return data


def public_jwk(jwk: dict[str, Any]) -> dict[str, Any]:
    """The public part of a JWK, keeping ``kid``, ``alg`` and ``use``."""
    data = dict(import_key(jwk).as_dict(private=False))
    for name in ("kid", "alg", "use"):
        if name in jwk:
            data[name] = jwk[name]
    return data


def token_alg_none(claims: dict[str, Any], *, header: dict[str, Any] | None = None) -> str:
    """An unsigned compact JWT (``alg: none``, empty signature)."""
    head = {"alg": "none", "typ": "JWT", **(header or {})}
    return f"{_b64url_json(head)}.{_b64url_json(claims)}."


def token_hs256_with_public_key(
    claims: dict[str, Any],
    public_jwk: dict[str, Any],
    *,
    header: dict[str, Any] | None = None,
) -> str:
    """A JWT for the RS256→HS256 key-confusion attack.

    HMAC-SHA256 keyed with the PEM (SubjectPublicKeyInfo) of the RSA public key, which is what
    a validator that lets the token pick the algorithm would verify it with.  Built by hand
    since joserfc refuses to use an RSA key as an HMAC secret.
    """
    key = RSAKey.import_key({k: v for k, v in public_jwk.items() if k in ("kty", "n", "e")})
    pem = key.as_pem(private=False)
    head: dict[str, Any] = {"alg": "HS256", "typ": "JWT"}
    if "kid" in public_jwk:
        head["kid"] = public_jwk["kid"]
    head.update(header or {})
    signing_input = f"{_b64url_json(head)}.{_b64url_json(claims)}"
    signature = hmac.new(pem, signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{_b64url(signature)}"


def _find_node_dir(start: Path) -> Path:
    for directory in (start, *start.parents):
        candidate = directory / "tests" / "oidc"
        if (candidate / _PROVIDER_SCRIPT).is_file():
            return candidate
    raise RuntimeError(
        f"cannot find tests/oidc/{_PROVIDER_SCRIPT} in {start} or any parent directory; "
        "pass node_dir=..."
    )


def _is_jwt(token: str) -> bool:
    return token.count(".") == 2


class OIDCProvider:
    """A running ``oidc-provider`` instance on 127.0.0.1 with an ephemeral port.

    ``resources`` maps each audience URI to the scopes that API accepts; with exactly one
    resource it is the default for token requests without ``resource``.  ``keys`` are private
    JWKs (the first key's ``alg`` is the signing algorithm); by default one RS256 key.
    """

    def __init__(
        self,
        *,
        clients: list[OIDCClient],
        accounts: dict[str, dict[str, Any]],
        resources: dict[str, list[str]],
        keys: list[dict[str, Any]] | None = None,
        node_dir: Path | None = None,
        resource_ttl: int = 600,
    ) -> None:
        ids = [client.client_id for client in clients]
        if len(set(ids)) != len(ids):
            raise ValueError("client ids must be unique")
        self._clients = {client.client_id: client for client in clients}
        self._accounts = {name: dict(claims) for name, claims in accounts.items()}
        self._resources = {uri: list(scopes) for uri, scopes in resources.items()}
        self._keys = [dict(key) for key in keys] if keys else [generate_jwk("RS256")]
        self._node_dir = node_dir
        self._resource_ttl = resource_ttl
        self._admin_token = secrets.token_urlsafe(32)
        self._process: subprocess.Popen[str] | None = None
        self._workdir: Path | None = None
        self._issuer: str | None = None
        self._stderr: collections.deque[str] = collections.deque(maxlen=400)
        self._threads: list[threading.Thread] = []
        self._discovery: dict[str, Any] | None = None

    # -- process management -------------------------------------------------------------------

    def _config(self) -> dict[str, Any]:
        return {
            "port": 0,
            "exit_on_stdin_eof": True,
            "admin_token": self._admin_token,
            "jwks": {"keys": self._keys},
            "clients": [client.to_config() for client in self._clients.values()],
            "accounts": self._accounts,
            "resources": {
                uri: {"scope": " ".join(scopes), "ttl": self._resource_ttl}
                for uri, scopes in self._resources.items()
            },
        }

    @staticmethod
    def _drain(stream: IO[str], sink: Callable[[str], object]) -> None:
        with contextlib.suppress(ValueError, OSError):
            for line in stream:
                sink(line.rstrip("\n"))

    def start(self) -> None:
        """Spawn the provider and wait (up to 20 s) until it listens."""
        if self._process is not None:
            raise RuntimeError("the OpenID provider is already running")
        node_dir = (self._node_dir or _find_node_dir(Path.cwd())).resolve()
        script = node_dir / _PROVIDER_SCRIPT
        if not script.is_file():
            raise RuntimeError(f"{script} does not exist")
        if not (node_dir / "node_modules" / "oidc-provider").is_dir():
            raise RuntimeError(
                f"{node_dir}/node_modules is missing: run `npm ci --prefix tests/oidc` "
                "from the repository root (needs Node.js 20 or later)"
            )
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("Node.js (`node`) is not on PATH; it runs the test OpenID provider")

        self._workdir = Path(tempfile.mkdtemp(prefix="converge-oidc-"))
        config_path = self._workdir / "config.json"
        fd = os.open(config_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(self._config(), handle)

        self._stderr.clear()
        self._process = subprocess.Popen(
            [node, str(script), str(config_path)],
            cwd=node_dir,
            stdin=subprocess.PIPE,  # never written; EOF tells the provider to exit
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        stdout_lines: queue.Queue[str] = queue.Queue()
        assert self._process.stdout is not None
        assert self._process.stderr is not None
        self._threads = [
            threading.Thread(
                target=self._drain,
                args=(self._process.stdout, stdout_lines.put),
                name="oidc-provider-stdout",
                daemon=True,
            ),
            threading.Thread(
                target=self._drain,
                args=(self._process.stderr, self._stderr.append),
                name="oidc-provider-stderr",
                daemon=True,
            ),
        ]
        for thread in self._threads:
            thread.start()

        deadline = time.monotonic() + _STARTUP_TIMEOUT
        while self._issuer is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._fail_start(f"did not report ready within {_STARTUP_TIMEOUT:.0f} s")
            try:
                line = stdout_lines.get(timeout=min(remaining, 0.2))
            except queue.Empty:
                if self._process.poll() is not None:
                    self._fail_start(f"exited with status {self._process.returncode}")
                continue
            with contextlib.suppress(ValueError):
                message = json.loads(line)
                if isinstance(message, dict) and message.get("ready") is True:
                    self._issuer = str(message["issuer"])
        # the provider has read its config (private keys, admin token): do not leave it around
        self._remove_workdir()

    def _remove_workdir(self) -> None:
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def _fail_start(self, reason: str) -> None:
        # give the stderr reader a moment to collect the last words of a crashed process
        if self._process is not None and self._process.poll() is not None:
            self._threads[1].join(timeout=1.0)
        stderr = self.stderr
        self.stop()
        raise RuntimeError(f"the test OpenID provider {reason}; stderr:\n{stderr}")

    def stop(self) -> None:
        """Terminate the provider (idempotent)."""
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.terminate()
            if process.stdin is not None:
                with contextlib.suppress(OSError):
                    process.stdin.close()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
            for thread in self._threads:
                thread.join(timeout=2)
            for stream in (process.stdout, process.stderr):
                if stream is not None:
                    stream.close()
        self._threads = []
        self._issuer = None
        self._discovery = None
        self._remove_workdir()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- properties ---------------------------------------------------------------------------

    @property
    def issuer(self) -> str:
        if self._issuer is None:
            raise RuntimeError("the OpenID provider is not running; call start()")
        return self._issuer

    @property
    def keys(self) -> list[dict[str, Any]]:
        """The current private signing JWKs (copies); the first one signs."""
        return [dict(key) for key in self._keys]

    @property
    def public_keys(self) -> dict[str, Any]:
        """The JWKS (public keys) the provider should be publishing."""
        return {"keys": [public_jwk(key) for key in self._keys]}

    @property
    def admin_token(self) -> str:
        return self._admin_token

    @property
    def clients(self) -> dict[str, OIDCClient]:
        return dict(self._clients)

    @property
    def resources(self) -> dict[str, list[str]]:
        return {uri: list(scopes) for uri, scopes in self._resources.items()}

    @property
    def stderr(self) -> str:
        """What the provider has written to stderr so far (last 400 lines)."""
        return "\n".join(self._stderr)

    @property
    def jwks_uri(self) -> str:
        return str(self.discovery()["jwks_uri"])

    @property
    def token_endpoint(self) -> str:
        return str(self.discovery()["token_endpoint"])

    @property
    def authorization_endpoint(self) -> str:
        return str(self.discovery()["authorization_endpoint"])

    # -- HTTP helpers -------------------------------------------------------------------------

    def _http(self) -> httpx.Client:
        return httpx.Client(timeout=_HTTP_TIMEOUT, follow_redirects=False, trust_env=False)

    def _get_json(self, url: str) -> dict[str, Any]:
        with self._http() as http:
            response = http.get(url)
        if response.status_code != 200:
            raise OIDCProviderError(
                f"GET {url} failed", status_code=response.status_code, body=response.text
            )
        data = response.json()
        if not isinstance(data, dict):
            raise OIDCProviderError(f"GET {url} did not return an object", body=response.text)
        return data

    def discovery(self, *, refresh: bool = False) -> dict[str, Any]:
        """The provider's ``/.well-known/openid-configuration`` (cached)."""
        if self._discovery is None or refresh:
            self._discovery = self._get_json(f"{self.issuer}/.well-known/openid-configuration")
        return self._discovery

    def jwks(self) -> dict[str, Any]:
        """The JWKS currently served at ``jwks_uri`` (fetched over HTTP, never cached)."""
        return self._get_json(self.jwks_uri)

    def _client(self, client_id: str) -> OIDCClient:
        try:
            return self._clients[client_id]
        except KeyError:
            raise ValueError(f"unknown client {client_id!r}") from None

    def _default_resource(self, resource: str | None) -> str | None:
        if resource is not None:
            return resource
        if len(self._resources) == 1:
            return next(iter(self._resources))
        return None

    def _token_request(self, client: OIDCClient, form: dict[str, str]) -> dict[str, Any]:
        data = dict(form)
        headers: dict[str, str] = {}
        method = client.token_endpoint_auth_method
        if method == "client_secret_basic":
            # RFC 6749 section 2.3.1: both parts are form-urlencoded before base64
            userpass = (
                f"{quote(client.client_id, safe='')}:{quote(client.client_secret or '', safe='')}"
            )
            headers["Authorization"] = "Basic " + base64.b64encode(userpass.encode()).decode()
        elif method == "client_secret_post":
            data["client_id"] = client.client_id
            data["client_secret"] = client.client_secret or ""
        elif method == "none":
            data["client_id"] = client.client_id
        else:
            raise ValueError(f"unsupported token_endpoint_auth_method {method!r}")
        with self._http() as http:
            response = http.post(self.token_endpoint, data=data, headers=headers)
        if response.status_code != 200:
            raise OIDCProviderError(
                f"token request ({form.get('grant_type')}) for {client.client_id} failed",
                status_code=response.status_code,
                body=response.text,
            )
        body = response.json()
        if not isinstance(body, dict):
            raise OIDCProviderError("token response is not an object", body=response.text)
        return body

    @staticmethod
    def _jwt_access_token(tokens: dict[str, Any]) -> str:
        token = tokens.get("access_token")
        if not isinstance(token, str) or not _is_jwt(token):
            raise OIDCProviderError(
                "the provider issued an opaque access token (no resource resolved); pass "
                "resource=<audience URI>",
                body=json.dumps(tokens),
            )
        return token

    # -- tokens -------------------------------------------------------------------------------

    def client_credentials_tokens(
        self, client_id: str, *, scope: str | None = None, resource: str | None = None
    ) -> dict[str, Any]:
        """The full token response of a client credentials grant."""
        client = self._client(client_id)
        form = {"grant_type": "client_credentials"}
        requested = client.scope if scope is None else scope
        if requested:
            form["scope"] = requested
        if resource is not None:
            form["resource"] = resource
        return self._token_request(client, form)

    def client_credentials_token(
        self, client_id: str, *, scope: str | None = None, resource: str | None = None
    ) -> str:
        """A JWT access token from the client credentials grant.

        ``scope=None`` requests every scope the client is allowed; ``resource=None`` lets the
        provider pick its default (only defined when exactly one resource is configured).
        """
        return self._jwt_access_token(
            self.client_credentials_tokens(client_id, scope=scope, resource=resource)
        )

    def user_tokens(
        self,
        account: str,
        *,
        client_id: str,
        scope: str = "openid",
        resource: str | None = None,
        redirect_uri: str | None = None,
        extra_params: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """The full token response of an authorization code flow with PKCE (S256).

        The provider logs in ``account`` (sent as ``login_hint``) without any UI and consents
        to everything requested; this method follows the redirects by hand until
        ``redirect_uri?code=...`` and exchanges the code.
        """
        client = self._client(client_id)
        if redirect_uri is None:
            if not client.redirect_uris:
                raise ValueError(f"client {client_id!r} has no redirect_uris")
            redirect_uri = client.redirect_uris[0]
        resource = self._default_resource(resource)
        verifier = secrets.token_urlsafe(48)
        challenge = _b64url(hashlib.sha256(verifier.encode("ascii")).digest())
        state = secrets.token_urlsafe(16)
        params = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": scope,
            "state": state,
            "nonce": secrets.token_urlsafe(16),
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "login_hint": account,
            **(extra_params or {}),
        }
        if resource is not None:
            params["resource"] = resource
        if "offline_access" in scope.split() and "prompt" not in params:
            # OpenID Connect Core 11: offline_access is ignored unless prompt contains consent
            params["prompt"] = "consent"

        target = urlsplit(redirect_uri)
        with self._http() as http:
            response = http.get(self.authorization_endpoint, params=params)
            for _ in range(_MAX_REDIRECTS):
                if response.status_code not in (301, 302, 303, 307, 308):
                    raise OIDCProviderError(
                        f"authorization flow for {account!r} stopped at {response.url}",
                        status_code=response.status_code,
                        body=response.text,
                    )
                location = urljoin(str(response.url), response.headers["location"])
                parts = urlsplit(location)
                if (parts.scheme, parts.netloc, parts.path) == (
                    target.scheme,
                    target.netloc,
                    target.path,
                ):
                    break
                response = http.get(location)
            else:
                raise OIDCProviderError(
                    f"too many redirects in the authorization flow for {account!r}"
                )
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        if "error" in query:
            raise OIDCProviderError(
                f"authorization request for {account!r} was refused",
                body=json.dumps(query),
            )
        if query.get("state") != state:
            raise OIDCProviderError("state mismatch in the authorization response", body=location)
        if query.get("iss") not in (None, self.issuer):
            raise OIDCProviderError("iss mismatch in the authorization response", body=location)
        code = query.get("code")
        if not code:
            raise OIDCProviderError("no code in the authorization response", body=location)

        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        }
        if resource is not None:
            form["resource"] = resource
        return self._token_request(client, form)

    def user_token(
        self,
        account: str,
        *,
        client_id: str,
        scope: str = "openid",
        resource: str | None = None,
    ) -> str:
        """A user's JWT access token (authorization code + PKCE, login via ``login_hint``)."""
        return self._jwt_access_token(
            self.user_tokens(account, client_id=client_id, scope=scope, resource=resource)
        )

    # -- keys ---------------------------------------------------------------------------------

    def rotate_keys(self, new_keys: list[dict[str, Any]]) -> None:
        """Replace the signing keys (the first one signs) without restarting the provider.

        Keys not passed are no longer published; pass ``[new, *provider.keys]`` to keep the
        old ones verifiable.
        """
        keys = [dict(key) for key in new_keys]
        if not keys:
            raise ValueError("at least one key is required")
        with self._http() as http:
            response = http.post(
                f"{self.issuer}/__admin/jwks",
                json={"keys": keys},
                headers={"Authorization": f"Bearer {self._admin_token}"},
            )
        if response.status_code != 204:
            raise OIDCProviderError(
                "key rotation failed", status_code=response.status_code, body=response.text
            )
        self._keys = keys

    def valid_claims(
        self,
        *,
        audience: str | None = None,
        sub: str = "forged-subject",
        client_id: str = "forged-client",
        scope: str | None = None,
        lifetime: int = 600,
        **extra: Any,
    ) -> dict[str, Any]:
        """Claims shaped like the provider's access tokens, as a base for forged tokens."""
        aud = self._default_resource(audience)
        if aud is None:
            raise ValueError("audience is required when several resources are configured")
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": aud,
            "sub": sub,
            "client_id": client_id,
            "iat": now,
            "exp": now + lifetime,
            "jti": secrets.token_urlsafe(16),
        }
        if scope is None:
            scope = " ".join(self._resources.get(aud, []))
        if scope:
            claims["scope"] = scope
        claims.update(extra)
        return claims

    def forge_token(
        self,
        claims: dict[str, Any],
        *,
        key: dict[str, Any] | None = None,
        header: dict[str, Any] | None = None,
    ) -> str:
        """Sign ``claims`` as given with the provider's current signing key (or ``key``).

        The header defaults to ``{"alg": <key alg>, "kid": <key kid>, "typ": "at+jwt"}``;
        ``header`` entries override it (e.g. ``{"kid": "unknown"}``).
        """
        jwk = key if key is not None else self._keys[0]
        alg = str(jwk.get("alg") or ("ES256" if jwk.get("kty") == "EC" else "RS256"))
        head: dict[str, Any] = {"alg": alg, "typ": "at+jwt"}
        if "kid" in jwk:
            head["kid"] = jwk["kid"]
        head.update(header or {})
        return jwt.encode(head, claims, import_key(jwk), algorithms=[str(head["alg"])])

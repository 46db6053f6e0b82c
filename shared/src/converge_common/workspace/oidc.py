"""The OpenID Connect authorization code flow with PKCE, as a confidential web client.

Discovery, endpoints and keys are the service's :class:`~converge_common.auth.OIDCVerifier`'s
(one issuer per service); this module builds the authorization request and redeems the code.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from converge_common.auth import OIDCVerifier, TokenError

__all__ = ["ClientConfig", "SignInError", "authorization_url", "pkce_challenge", "redeem_code"]


class SignInError(Exception):
    """Why a sign-in could not be completed (shown to the person, logged)."""


@dataclass(frozen=True)
class ClientConfig:
    client_id: str
    client_secret: str
    redirect_uri: str
    scope: str
    resource: str


def pkce_challenge(verifier: str) -> str:
    """RFC 7636 ``S256``: BASE64URL(SHA256(ASCII(code_verifier))) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_code_verifier() -> str:
    """43 to 128 characters of ``[A-Za-z0-9-._~]`` (RFC 7636 section 4.1): 64 here."""
    return secrets.token_urlsafe(48)


async def authorization_url(
    verifier: OIDCVerifier, client: ClientConfig, *, state: str, nonce: str, code_verifier: str
) -> str:
    document = await verifier.discovery()
    params = {
        "response_type": "code",
        "client_id": client.client_id,
        "redirect_uri": client.redirect_uri,
        "scope": client.scope,
        "state": state,
        "nonce": nonce,
        "code_challenge": pkce_challenge(code_verifier),
        "code_challenge_method": "S256",
    }
    if client.resource:
        params["resource"] = client.resource
    return f"{document['authorization_endpoint']}?{urlencode(params)}"


@dataclass(frozen=True)
class SignedIn:
    access_token: str
    id_token: str
    id_claims: dict[str, Any]


async def redeem_code(
    verifier: OIDCVerifier,
    http: httpx.AsyncClient,
    client: ClientConfig,
    *,
    code: str,
    code_verifier: str,
    nonce: str,
) -> SignedIn:
    """The code exchanged at the token endpoint, and the ID token checked (nonce included)."""
    document = await verifier.discovery()
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": client.redirect_uri,
        "code_verifier": code_verifier,
    }
    if client.resource:
        form["resource"] = client.resource
    headers: dict[str, str] = {}
    if client.client_secret:
        # client_secret_basic; RFC 6749 section 2.3.1: both parts form-urlencoded first
        pair = f"{quote(client.client_id, safe='')}:{quote(client.client_secret, safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
    else:
        form["client_id"] = client.client_id
    try:
        response = await http.post(str(document["token_endpoint"]), data=form, headers=headers)
    except httpx.HTTPError as exc:
        raise SignInError(
            f"the OpenID provider could not be reached: {type(exc).__name__}"
        ) from exc
    if response.status_code != 200:
        raise SignInError(f"the OpenID provider refused the code (HTTP {response.status_code})")
    try:
        body = response.json()
    except ValueError as exc:
        raise SignInError("the OpenID provider's token answer is not JSON") from exc
    access_token = body.get("access_token") if isinstance(body, dict) else None
    id_token = body.get("id_token") if isinstance(body, dict) else None
    if not isinstance(access_token, str) or not isinstance(id_token, str):
        raise SignInError("the OpenID provider's token answer has no access or ID token")
    try:
        claims = await verifier.verify_id_token(id_token, client_id=client.client_id, nonce=nonce)
    except TokenError as exc:
        raise SignInError(f"the ID token was refused: {exc}") from exc
    return SignedIn(access_token=access_token, id_token=id_token, id_claims=claims)

"""The local OpenID provider (tests/oidc, npm oidc-provider) and its Python driver.

Every token is fetched over real HTTP and verified with joserfc against the JWKS the provider
serves at its ``jwks_uri``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from converge_common.testing.oidc import (
    OIDCClient,
    OIDCProvider,
    OIDCProviderError,
    generate_jwk,
    public_jwk,
    token_alg_none,
    token_hs256_with_public_key,
)
from joserfc import jwt
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import KeySet, RSAKey
from joserfc.jwt import JWTClaimsRegistry

pytestmark = [
    pytest.mark.oidc,
    pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed"),
]

API = "https://api.converge.test"
API_SCOPES = ["federation:admin", "node:de:steward", "node:de:admin", "controlled:read"]
REDIRECT_URI = "http://127.0.0.1:8765/callback"
ALICE_ENTITLEMENTS = [
    "urn:geant:elixir-europe.org:group:elixir:converge:node:de:steward#aai.lifescience-ri.eu",
    "urn:geant:elixir-europe.org:group:elixir:converge:controlled#aai.lifescience-ri.eu",
]
BOB_ENTITLEMENTS = ["urn:geant:elixir-europe.org:group:elixir:converge:member"]
ALGORITHMS = ["RS256", "ES256"]


def _clients() -> list[OIDCClient]:
    return [
        OIDCClient(
            client_id="registry-admin",
            client_secret="registry-admin-secret",
            grant_types=["client_credentials"],
            # "not:an-api-scope" is allowed to the client but no resource accepts it
            scope="federation:admin controlled:read not:an-api-scope",
        ),
        OIDCClient(
            client_id="harvester",
            client_secret="harvester-secret",
            grant_types=["client_credentials"],
            scope="controlled:read",
            token_endpoint_auth_method="client_secret_post",
        ),
        OIDCClient(
            client_id="portal",
            client_secret=None,
            grant_types=["authorization_code"],
            scope="openid profile email node:de:steward node:de:admin controlled:read",
            redirect_uris=[REDIRECT_URI],
            token_endpoint_auth_method="none",
        ),
    ]


def _accounts() -> dict[str, dict[str, Any]]:
    return {
        "alice": {
            "name": "Alice Steward",
            "email": "alice@example.org",
            "eduperson_entitlement": ALICE_ENTITLEMENTS,
        },
        "bob": {
            "name": "Bob Member",
            "email": "bob@example.org",
            "eduperson_entitlement": BOB_ENTITLEMENTS,
        },
    }


def _new_provider(keys: list[dict[str, Any]] | None = None) -> OIDCProvider:
    return OIDCProvider(
        clients=_clients(),
        accounts=_accounts(),
        resources={API: API_SCOPES},
        keys=keys,
    )


@pytest.fixture(scope="module")
def op() -> Iterator[OIDCProvider]:
    with _new_provider(keys=[generate_jwk("RS256", kid="rsa-1")]) as provider:
        yield provider


@pytest.fixture
def fresh_op() -> Iterator[OIDCProvider]:
    """A provider of its own, for tests that change its keys."""
    with _new_provider(keys=[generate_jwk("RS256", kid="before-rotation")]) as provider:
        yield provider


def _served_jwks(op: OIDCProvider) -> dict[str, Any]:
    """The JWKS at the jwks_uri that discovery currently announces (real HTTP, no cache)."""
    discovery = httpx.get(f"{op.issuer}/.well-known/openid-configuration").raise_for_status()
    jwks = httpx.get(discovery.json()["jwks_uri"]).raise_for_status().json()
    assert isinstance(jwks, dict)
    return jwks


def _verify(op: OIDCProvider, token: str, *, audience: str, id_token: bool = False) -> jwt.Token:
    """Verify signature (against the served JWKS) and iss/aud/exp/iat like a resource server."""
    keys = KeySet.import_key_set(_served_jwks(op))  # type: ignore[arg-type]
    decoded = jwt.decode(token, keys, algorithms=ALGORITHMS)
    JWTClaimsRegistry(
        iss={"essential": True, "value": op.issuer},
        aud={"essential": True, "value": audience},
        exp={"essential": True},
        iat={"essential": True},
        sub={"essential": True},
        jti={"essential": not id_token},  # ID tokens carry no jti
    ).validate(decoded.claims)
    return decoded


def _segments(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, payload, signature = token.split(".")

    def load(part: str) -> dict[str, Any]:
        data = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
        assert isinstance(data, dict)
        return data

    return load(header), load(payload), signature


# -- client credentials ------------------------------------------------------------------------


def test_client_credentials_token_has_the_right_claims_and_verifies(op: OIDCProvider) -> None:
    token = op.client_credentials_token("registry-admin")

    decoded = _verify(op, token, audience=API)
    assert decoded.header["typ"] == "at+jwt"
    assert decoded.header["alg"] == "RS256"
    assert decoded.header["kid"] == "rsa-1"
    claims = decoded.claims
    assert claims["iss"] == op.issuer
    assert claims["aud"] == API
    assert claims["client_id"] == "registry-admin"
    assert claims["sub"] == "registry-admin"
    assert set(claims["scope"].split()) == {"federation:admin", "controlled:read"}
    assert claims["exp"] - claims["iat"] == 600
    assert abs(claims["iat"] - time.time()) < 60
    assert "eduperson_entitlement" not in claims


def test_client_credentials_token_signature_is_really_checked(op: OIDCProvider) -> None:
    token = op.client_credentials_token("registry-admin")
    header, _, signature = token.split(".")
    claims = _segments(token)[1]
    claims["scope"] = claims["scope"] + " node:de:admin"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()

    with pytest.raises(BadSignatureError):
        _verify(op, f"{header}.{forged_payload}.{signature}", audience=API)


def test_client_credentials_token_for_another_audience_is_refused(op: OIDCProvider) -> None:
    token = op.client_credentials_token("registry-admin")

    with pytest.raises(JoseError):
        _verify(op, token, audience="https://other.converge.test")


def test_client_secret_post_client_gets_a_token(op: OIDCProvider) -> None:
    claims = _verify(op, op.client_credentials_token("harvester"), audience=API).claims

    assert claims["client_id"] == "harvester"
    assert claims["scope"] == "controlled:read"


def test_explicit_scope_request_is_narrowed_to_what_was_asked(op: OIDCProvider) -> None:
    token = op.client_credentials_token("registry-admin", scope="federation:admin", resource=API)

    assert _verify(op, token, audience=API).claims["scope"] == "federation:admin"


def test_scope_not_allowed_to_the_client_is_not_granted(op: OIDCProvider) -> None:
    token = op.client_credentials_token(
        "harvester", scope="federation:admin node:de:admin controlled:read"
    )

    assert _verify(op, token, audience=API).claims["scope"] == "controlled:read"


def test_only_disallowed_scopes_yield_a_token_without_scope(op: OIDCProvider) -> None:
    token = op.client_credentials_token("harvester", scope="federation:admin")

    assert "scope" not in _verify(op, token, audience=API).claims


def test_scope_the_resource_does_not_accept_is_not_granted(op: OIDCProvider) -> None:
    token = op.client_credentials_token("registry-admin", scope="not:an-api-scope federation:admin")

    assert _verify(op, token, audience=API).claims["scope"] == "federation:admin"


def test_unknown_resource_is_rejected(op: OIDCProvider) -> None:
    with pytest.raises(OIDCProviderError) as excinfo:
        op.client_credentials_token("registry-admin", resource="https://unknown.converge.test")

    assert excinfo.value.status_code == 400
    assert excinfo.value.error == "invalid_target"


def test_wrong_client_secret_is_rejected(op: OIDCProvider) -> None:
    response = httpx.post(
        op.token_endpoint,
        data={"grant_type": "client_credentials"},
        auth=("registry-admin", "not-the-secret"),
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


# -- authorization code + PKCE -----------------------------------------------------------------


def test_user_token_carries_sub_and_entitlements(op: OIDCProvider) -> None:
    tokens = op.user_tokens(
        "alice", client_id="portal", scope="openid profile node:de:steward controlled:read"
    )

    access = _verify(op, tokens["access_token"], audience=API)
    assert access.header["typ"] == "at+jwt"
    assert access.claims["sub"] == "alice"
    assert access.claims["client_id"] == "portal"
    assert access.claims["eduperson_entitlement"] == ALICE_ENTITLEMENTS
    # openid/profile are OIDC scopes: they never reach the API token
    assert set(access.claims["scope"].split()) == {"node:de:steward", "controlled:read"}
    assert tokens["token_type"].lower() == "bearer"

    id_token = _verify(op, tokens["id_token"], audience="portal", id_token=True)
    assert id_token.claims["sub"] == "alice"
    assert id_token.claims["name"] == "Alice Steward"


def test_user_token_is_per_account(op: OIDCProvider) -> None:
    claims = _verify(op, op.user_token("bob", client_id="portal"), audience=API).claims

    assert claims["sub"] == "bob"
    assert claims["eduperson_entitlement"] == BOB_ENTITLEMENTS
    assert "scope" not in claims  # only "openid" was requested


def test_user_token_scope_is_limited_to_the_client(op: OIDCProvider) -> None:
    token = op.user_token(
        "alice", client_id="portal", scope="openid federation:admin node:de:admin"
    )

    assert _verify(op, token, audience=API).claims["scope"] == "node:de:admin"


def test_unknown_account_is_rejected(op: OIDCProvider) -> None:
    with pytest.raises(OIDCProviderError) as excinfo:
        op.user_token("mallory", client_id="portal")

    assert excinfo.value.status_code == 400
    assert excinfo.value.error == "unknown_account"


def test_authorization_without_pkce_is_refused(op: OIDCProvider) -> None:
    response = httpx.get(
        op.authorization_endpoint,
        params={
            "response_type": "code",
            "client_id": "portal",
            "redirect_uri": REDIRECT_URI,
            "scope": "openid",
            "login_hint": "alice",
        },
    )

    assert response.status_code in (302, 303)
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    query = parse_qs(location.query)
    assert query["error"] == ["invalid_request"]
    assert "PKCE" in query["error_description"][0]


def test_without_login_hint_a_person_signs_in_with_the_form(op: OIDCProvider) -> None:
    params = {
        "response_type": "code",
        "client_id": "portal",
        "redirect_uri": REDIRECT_URI,
        "scope": "openid",
        "state": "s-1",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method": "S256",
    }
    with httpx.Client(follow_redirects=False, trust_env=False) as http:
        start = http.get(op.authorization_endpoint, params=params)
        form_url = urljoin(str(start.url), start.headers["location"])
        page = http.get(form_url)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert '<label for="username">Username</label>' in page.text
        assert "alice, bob" in page.text
        wrong = http.post(form_url, data={"username": "<mallory>"})
        assert wrong.status_code == 400
        assert 'role="alert"' in wrong.text
        assert "&#60;mallory&#62;" in wrong.text
        assert "<mallory>" not in wrong.text
        response = http.post(form_url, data={"username": "alice"})
        for _ in range(10):
            location = urljoin(str(response.url), response.headers["location"])
            if location.startswith(REDIRECT_URI):
                break
            response = http.get(location)
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["s-1"]
    assert query["code"]


# -- key rotation and the admin endpoint -------------------------------------------------------


def test_rotate_keys_serves_the_new_kid_and_signs_with_it(fresh_op: OIDCProvider) -> None:
    old_token = fresh_op.client_credentials_token("registry-admin")
    assert _segments(old_token)[0]["kid"] == "before-rotation"
    assert [k["kid"] for k in _served_jwks(fresh_op)["keys"]] == ["before-rotation"]

    new_key = generate_jwk("ES256", kid="after-rotation")
    fresh_op.rotate_keys([new_key])

    served = _served_jwks(fresh_op)
    assert [k["kid"] for k in served["keys"]] == ["after-rotation"]
    assert all("d" not in k for k in served["keys"])
    assert fresh_op.keys == [new_key]

    service_token = _verify(
        fresh_op, fresh_op.client_credentials_token("registry-admin"), audience=API
    )
    assert service_token.header["kid"] == "after-rotation"
    assert service_token.header["alg"] == "ES256"
    user_token = _verify(fresh_op, fresh_op.user_token("alice", client_id="portal"), audience=API)
    assert user_token.header["kid"] == "after-rotation"
    assert user_token.claims["sub"] == "alice"

    # the old key is gone from the JWKS, so a token it signed no longer verifies
    with pytest.raises(JoseError):
        _verify(fresh_op, old_token, audience=API)


def test_rotation_can_keep_the_old_key_published(fresh_op: OIDCProvider) -> None:
    old_token = fresh_op.client_credentials_token("registry-admin")

    fresh_op.rotate_keys([generate_jwk("RS256", kid="next"), *fresh_op.keys])

    assert [k["kid"] for k in _served_jwks(fresh_op)["keys"]] == ["next", "before-rotation"]
    assert _verify(fresh_op, old_token, audience=API).header["kid"] == "before-rotation"
    new_token = fresh_op.client_credentials_token("registry-admin")
    assert _verify(fresh_op, new_token, audience=API).header["kid"] == "next"


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-admin-token", "Basic YWRtaW4="])
def test_admin_endpoint_refuses_a_wrong_admin_token(
    fresh_op: OIDCProvider, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = httpx.post(
        f"{fresh_op.issuer}/__admin/jwks",
        json={"keys": [generate_jwk("RS256", kid="attacker")]},
        headers=headers,
    )

    assert response.status_code == 401
    assert [k["kid"] for k in _served_jwks(fresh_op)["keys"]] == ["before-rotation"]
    token = fresh_op.client_credentials_token("registry-admin")
    assert _segments(token)[0]["kid"] == "before-rotation"


def test_admin_endpoint_rejects_public_keys(fresh_op: OIDCProvider) -> None:
    with pytest.raises(OIDCProviderError) as excinfo:
        fresh_op.rotate_keys([public_jwk(generate_jwk("RS256", kid="public-only"))])

    assert excinfo.value.status_code == 400
    assert [k["kid"] for k in _served_jwks(fresh_op)["keys"]] == ["before-rotation"]


# -- forged tokens -----------------------------------------------------------------------------


def test_forged_token_with_the_provider_key_verifies(op: OIDCProvider) -> None:
    claims = op.valid_claims(sub="alice", scope="node:de:admin")

    decoded = _verify(op, op.forge_token(claims), audience=API)

    assert decoded.header["kid"] == "rsa-1"
    assert decoded.claims == claims


def test_forged_expired_and_foreign_tokens_fail_validation(op: OIDCProvider) -> None:
    expired = op.valid_claims(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)
    with pytest.raises(JoseError):
        _verify(op, op.forge_token(expired), audience=API)

    wrong_iss = op.valid_claims(iss="http://127.0.0.1:1")
    with pytest.raises(JoseError):
        _verify(op, op.forge_token(wrong_iss), audience=API)

    foreign_key = generate_jwk("RS256", kid="rsa-1")  # same kid, different key
    with pytest.raises(BadSignatureError):
        _verify(op, op.forge_token(op.valid_claims(), key=foreign_key), audience=API)

    unknown_kid = op.forge_token(op.valid_claims(), header={"kid": "no-such-kid"})
    assert _segments(unknown_kid)[0]["kid"] == "no-such-kid"
    with pytest.raises(JoseError):
        _verify(op, unknown_kid, audience=API)


def test_alg_none_token_is_unsigned(op: OIDCProvider) -> None:
    token = token_alg_none(op.valid_claims())

    header, claims, signature = _segments(token)
    assert header["alg"] == "none"
    assert signature == ""
    assert claims["iss"] == op.issuer
    with pytest.raises(JoseError):
        _verify(op, token, audience=API)


def test_hs256_key_confusion_token_is_keyed_with_the_public_pem(op: OIDCProvider) -> None:
    public = _served_jwks(op)["keys"][0]
    token = token_hs256_with_public_key(op.valid_claims(), public)

    header, _, signature = _segments(token)
    assert header["alg"] == "HS256"
    assert header["kid"] == public["kid"]
    pem = RSAKey.import_key(public).as_pem(private=False)
    signing_input = token.rsplit(".", 1)[0].encode()
    expected = hmac.new(pem, signing_input, hashlib.sha256).digest()
    assert base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)) == expected
    with pytest.raises(JoseError):
        _verify(op, token, audience=API)


# -- driver ------------------------------------------------------------------------------------


def test_generate_jwk_kinds() -> None:
    rsa = generate_jwk("RS256", kid="r")
    ec = generate_jwk("ES256")

    assert (rsa["kty"], rsa["alg"], rsa["use"], rsa["kid"]) == ("RSA", "RS256", "sig", "r")
    assert "d" in rsa
    assert (ec["kty"], ec["crv"], ec["alg"], ec["use"]) == ("EC", "P-256", "ES256", "sig")
    assert ec["kid"]
    assert "d" not in public_jwk(ec)


def test_missing_node_modules_gives_a_clear_error(tmp_path: Path) -> None:
    shutil.copy(Path(__file__).parents[1] / "oidc" / "provider.mjs", tmp_path / "provider.mjs")
    provider = OIDCProvider(clients=[], accounts={}, resources={}, node_dir=tmp_path)

    with pytest.raises(RuntimeError, match=r"npm ci --prefix tests/oidc"):
        provider.start()


def test_stop_ends_the_process(fresh_op: OIDCProvider) -> None:
    issuer = fresh_op.issuer
    fresh_op.stop()

    with pytest.raises(httpx.TransportError):
        httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=2)
    with pytest.raises(RuntimeError, match="not running"):
        _ = fresh_op.issuer

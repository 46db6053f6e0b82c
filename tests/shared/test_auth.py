"""OpenID Connect bearer tokens against the real test provider (npm ``oidc-provider``)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from converge_common.auth import OIDCVerifier, RoleMapper, TokenError
from converge_common.settings import RoleRule
from converge_common.testing.asgi import asgi_client
from converge_common.testing.oidc import (
    OIDCProvider,
    generate_jwk,
    public_jwk,
    token_alg_none,
    token_hs256_with_public_key,
)
from converge_common.testing.plugin import (
    AUDIENCE,
    LSL_STEWARD_ENTITLEMENT,
    OTHER_AUDIENCE,
    Tokens,
    bearer,
)

from tests.shared.harness import HarnessSettings, create_harness_app


@pytest_asyncio.fixture(loop_scope="session")
async def api(
    harness_settings: HarnessSettings, oidc_settings: dict[str, Any]
) -> AsyncIterator[httpx.AsyncClient]:
    rules = [
        RoleRule(
            pattern=r"urn:geant:lifescience-ri\.eu:group:elixir-(?P<node>[a-z]+):stewards"
            r"#aai\.lifescience-ri\.eu",
            role="node:{node}:steward",
        )
    ]
    settings = harness_settings.model_copy(update={**oidc_settings, "oidc_role_rules": rules})
    async with asgi_client(create_harness_app(settings)) as client:
        yield client


def _assert_invalid_token(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert response.headers["content-type"] == "application/problem+json"


class TestValidTokens:
    async def test_client_credentials(self, api: httpx.AsyncClient, tokens: Tokens) -> None:
        response = await api.get("/api/v1/whoami", headers=bearer(tokens.node("de")))
        assert response.status_code == 200
        body = response.json()
        assert body["client_id"] == "node-de"
        assert body["roles"] == ["node:de:admin", "node:de:steward"]

    async def test_person_with_entitlement(self, api: httpx.AsyncClient, tokens: Tokens) -> None:
        response = await api.get("/api/v1/whoami", headers=bearer(tokens.user("alice")))
        assert response.status_code == 200
        assert response.json()["subject"] == "alice"
        assert response.json()["roles"] == ["node:de:steward"]

    async def test_life_science_login_entitlement_mapped(
        self, api: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        response = await api.get("/api/v1/whoami", headers=bearer(tokens.user("lsl-steward")))
        assert response.json()["roles"] == ["node:de:steward"]


class TestMissingOrBadTokens:
    async def test_missing(self, api: httpx.AsyncClient) -> None:
        _assert_invalid_token(await api.get("/api/v1/whoami"))

    async def test_not_bearer(self, api: httpx.AsyncClient) -> None:
        _assert_invalid_token(
            await api.get("/api/v1/whoami", headers={"Authorization": "Basic dTpw"})
        )

    @pytest.mark.parametrize(
        "change",
        [
            pytest.param({"exp": -60}, id="expired"),
            pytest.param({"nbf": 600}, id="not-yet-valid"),
            pytest.param({"iss": "http://127.0.0.1:1"}, id="wrong-issuer"),
            pytest.param({"aud": OTHER_AUDIENCE}, id="wrong-audience"),
            pytest.param({"aud": None}, id="no-audience"),
            pytest.param({"exp": None}, id="no-expiry"),
        ],
    )
    async def test_bad_claims(
        self, api: httpx.AsyncClient, oidc_provider: OIDCProvider, change: dict[str, Any]
    ) -> None:
        claims = oidc_provider.valid_claims(audience=AUDIENCE, scope="node:de:steward")
        now = int(time.time())
        for name, value in change.items():
            if value is None:
                claims.pop(name)
            elif name in ("exp", "nbf"):
                claims[name] = now + value
            else:
                claims[name] = value
        token = oidc_provider.forge_token(claims)
        _assert_invalid_token(await api.get("/api/v1/whoami", headers=bearer(token)))

    async def test_forged_claims_are_accepted_when_valid(
        self, api: httpx.AsyncClient, oidc_provider: OIDCProvider
    ) -> None:
        # the control for the cases above: the same forging path with nothing wrong passes
        claims = oidc_provider.valid_claims(audience=AUDIENCE, scope="node:de:steward")
        response = await api.get(
            "/api/v1/whoami", headers=bearer(oidc_provider.forge_token(claims))
        )
        assert response.status_code == 200

    @pytest.mark.parametrize(
        ("claim", "value"),
        [
            pytest.param("scope", 7, id="scope-number"),
            pytest.param("scope", {"federation:admin": True}, id="scope-object"),
            pytest.param("scope", ["federation:admin", 1], id="scope-list-with-number"),
            pytest.param("scope", True, id="scope-boolean"),
            pytest.param("eduperson_entitlement", 7, id="entitlement-number"),
            pytest.param(
                "eduperson_entitlement", {"federation:admin": True}, id="entitlement-object"
            ),
            pytest.param(
                "eduperson_entitlement", [{"federation:admin": 1}], id="entitlement-list-object"
            ),
            pytest.param("sub", 12345, id="sub-number"),
            pytest.param("client_id", ["node-de"], id="client-id-list"),
        ],
    )
    async def test_claim_of_the_wrong_type(
        self, api: httpx.AsyncClient, oidc_provider: OIDCProvider, claim: str, value: Any
    ) -> None:
        claims = oidc_provider.valid_claims(audience=AUDIENCE)
        claims[claim] = value
        token = oidc_provider.forge_token(claims)
        _assert_invalid_token(await api.get("/api/v1/whoami", headers=bearer(token)))
        _assert_invalid_token(await api.post("/api/v1/admin-only", headers=bearer(token)))

    @pytest.mark.parametrize(
        ("claim", "value"),
        [
            pytest.param("scope", "openid federation:admin", id="scope-string"),
            pytest.param("scope", ["openid", "federation:admin"], id="scope-list"),
            pytest.param("eduperson_entitlement", "federation:admin", id="entitlement-string"),
            pytest.param("eduperson_entitlement", ["federation:admin"], id="entitlement-list"),
        ],
    )
    async def test_claim_of_an_allowed_type(
        self, api: httpx.AsyncClient, oidc_provider: OIDCProvider, claim: str, value: Any
    ) -> None:
        claims = oidc_provider.valid_claims(audience=AUDIENCE, scope="openid")
        claims[claim] = value
        token = oidc_provider.forge_token(claims)
        response = await api.get("/api/v1/whoami", headers=bearer(token))
        assert response.status_code == 200, response.text
        assert response.json()["roles"] == ["federation:admin"]

    async def test_wrong_audience_from_the_real_provider(
        self, api: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        token = tokens.client("node-de", audience=OTHER_AUDIENCE)
        _assert_invalid_token(await api.get("/api/v1/whoami", headers=bearer(token)))

    async def test_alg_none(self, api: httpx.AsyncClient, oidc_provider: OIDCProvider) -> None:
        claims = oidc_provider.valid_claims(audience=AUDIENCE)
        token = token_alg_none(claims, header={"kid": oidc_provider.keys[0]["kid"]})
        _assert_invalid_token(await api.get("/api/v1/whoami", headers=bearer(token)))

    async def test_hs256_signed_with_public_key(
        self, api: httpx.AsyncClient, oidc_provider: OIDCProvider
    ) -> None:
        claims = oidc_provider.valid_claims(audience=AUDIENCE)
        rsa_key = next(k for k in oidc_provider.keys if k["kty"] == "RSA")
        token = token_hs256_with_public_key(claims, public_jwk(rsa_key))
        _assert_invalid_token(await api.get("/api/v1/whoami", headers=bearer(token)))

    async def test_unknown_kid(self, api: httpx.AsyncClient, oidc_provider: OIDCProvider) -> None:
        stranger = generate_jwk("RS256", kid="not-published")
        token = oidc_provider.forge_token(
            oidc_provider.valid_claims(audience=AUDIENCE), key=stranger
        )
        _assert_invalid_token(await api.get("/api/v1/whoami", headers=bearer(token)))

    async def test_tampered_payload(self, api: httpx.AsyncClient, tokens: Tokens) -> None:
        import base64
        import json

        head, payload, signature = tokens.nobody().split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["scope"] = "federation:admin"
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        token = f"{head}.{forged}.{signature}"
        _assert_invalid_token(await api.post("/api/v1/admin-only", headers=bearer(token)))

    async def test_garbage(self, api: httpx.AsyncClient) -> None:
        _assert_invalid_token(await api.get("/api/v1/whoami", headers=bearer("not.a.jwt")))


class TestRoles:
    async def test_anonymous_write(self, api: httpx.AsyncClient) -> None:
        _assert_invalid_token(await api.post("/api/v1/items", json={"name": "ok", "size": 1}))

    async def test_wrong_role(self, api: httpx.AsyncClient, tokens: Tokens) -> None:
        for token in (tokens.nobody(), tokens.node("fi"), tokens.admin()):
            response = await api.post(
                "/api/v1/items", json={"name": "ok", "size": 1}, headers=bearer(token)
            )
            assert response.status_code == 403
            assert "steward role for Node 'de'" in response.json()["detail"]

    async def test_allowed(self, api: httpx.AsyncClient, tokens: Tokens) -> None:
        for name, token in (("by-service", tokens.node("de")), ("by-alice", tokens.user("alice"))):
            response = await api.post(
                "/api/v1/items", json={"name": name, "size": 1}, headers=bearer(token)
            )
            assert response.status_code == 201, response.text

    async def test_federation_admin_route(self, api: httpx.AsyncClient, tokens: Tokens) -> None:
        denied = await api.post("/api/v1/admin-only", headers=bearer(tokens.node("de")))
        assert denied.status_code == 403
        allowed = await api.post("/api/v1/admin-only", headers=bearer(tokens.admin()))
        assert allowed.status_code == 200
        assert allowed.json() == {"subject": "federation-admin"}

    async def test_every_invalid_field_reported(
        self, api: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        response = await api.post(
            "/api/v1/items",
            json={"name": "x", "tags": ["a", "b", "c", "d"], "size": -1, "extra": 1},
            headers=bearer(tokens.node("de")),
        )
        assert response.status_code == 422
        found = {(e["pointer"], e["rule"]) for e in response.json()["errors"]}
        assert found == {("/name", "min_length"), ("/tags", "max_items"), ("/size", "minimum")}

    async def test_duplicate_is_409(self, api: httpx.AsyncClient, tokens: Tokens) -> None:
        body = {"name": "twice", "size": 1}
        first = await api.post("/api/v1/items", json=body, headers=bearer(tokens.node("de")))
        assert first.status_code == 201
        second = await api.post("/api/v1/items", json=body, headers=bearer(tokens.node("de")))
        assert second.status_code == 409
        assert "INSERT" not in second.text
        assert "UNIQUE" not in second.text


class TestKeyRotation:
    async def test_new_key_accepted_without_restart(
        self, api: httpx.AsyncClient, oidc_provider: OIDCProvider, tokens: Tokens
    ) -> None:
        before = await api.get("/api/v1/whoami", headers=bearer(tokens.node("de")))
        assert before.status_code == 200  # the service has cached the current JWKS
        new_key = generate_jwk("ES256", kid=f"rotated-{time.time_ns()}")
        oidc_provider.rotate_keys([new_key, *oidc_provider.keys])
        token = oidc_provider.client_credentials_token("node-de", resource=AUDIENCE)
        header = token.split(".")[0]
        assert new_key["kid"] in __import__("base64").urlsafe_b64decode(header + "==").decode()
        response = await api.get("/api/v1/whoami", headers=bearer(token))
        assert response.status_code == 200, response.text


class TestVerifier:
    async def test_unknown_kid_refetch_is_rate_limited(self, oidc_provider: OIDCProvider) -> None:
        fetches: list[str] = []

        async def count(request: httpx.Request) -> None:
            fetches.append(request.url.path)

        async with httpx.AsyncClient(event_hooks={"request": [count]}) as client:
            verifier = OIDCVerifier(
                issuer=oidc_provider.issuer, audience=AUDIENCE, client=client, min_refresh_s=60
            )
            claims = oidc_provider.valid_claims(audience=AUDIENCE)
            good = oidc_provider.forge_token(claims)
            await verifier.verify(good)
            jwks_path = fetches[-1]
            for i in range(5):
                stranger = generate_jwk("RS256", kid=f"unknown-{i}")
                with pytest.raises(TokenError):
                    await verifier.verify(oidc_provider.forge_token(claims, key=stranger))
            # one forced refresh at most within the interval, however many unknown kids arrive
            assert fetches.count(jwks_path) <= 2
            await verifier.verify(good)
            assert fetches.count(jwks_path) <= 2

    def test_unsafe_algorithms_refused_by_configuration(self) -> None:
        client = httpx.AsyncClient()
        with pytest.raises(ValueError, match="never accepted"):
            OIDCVerifier(issuer="x", audience="y", client=client, algorithms=["RS256", "none"])
        with pytest.raises(ValueError, match="never accepted"):
            OIDCVerifier(issuer="x", audience="y", client=client, algorithms=["HS256"])


class TestRoleMapper:
    def test_patterns_and_direct_roles(self) -> None:
        mapper = RoleMapper(
            [RoleRule(pattern=r"group:(?P<node>[a-z]+):admins", role="node:{node}:admin")]
        )
        roles = mapper.roles(["node:fi:steward", "openid"], ["group:pt:admins", "other"])
        assert roles == {"node:fi:steward", "node:pt:admin"}

    def test_invalid_role_templates_ignored(self) -> None:
        mapper = RoleMapper([RoleRule(pattern=r"(?P<x>.+)", role="{x}")])
        assert mapper.roles([], ["root"]) == frozenset()

    def test_lsl_entitlement_constant(self) -> None:
        assert LSL_STEWARD_ENTITLEMENT.startswith("urn:geant:lifescience-ri.eu:group:elixir-de")

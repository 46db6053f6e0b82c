"""Signing in to the workspace: PKCE, state, nonce, the server-side session, CSRF, roles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from converge_common.auth import OIDCVerifier, TokenError
from converge_common.testing.asgi import asgi_client
from converge_common.testing.oidc import OIDCProvider, token_alg_none
from converge_common.testing.plugin import AUDIENCE
from converge_common.testing.workspace import provider_redirect, sign_in
from converge_common.workspace.core import Workspace, safe_return_to
from converge_common.workspace.oidc import pkce_challenge
from converge_common.workspace.sessions import session_key
from converge_metadata.app import create_app
from converge_metadata.models import workspace_sessions
from converge_metadata.settings import MetadataSettings
from lxml import html
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import create_async_engine

COOKIE = "converge-metadata-de"


def test_pkce_s256_matches_rfc_7636_appendix_b() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert pkce_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("/workspace/records?type=Dataset", "/workspace/records?type=Dataset"),
        ("/workspace/", "/workspace/"),
        ("https://evil.example/workspace/", "/workspace/"),
        ("//evil.example/workspace/", "/workspace/"),
        ("/workspace/\\evil", "/workspace/"),
        ("/api/v1/records", "/workspace/"),
        ("/workspace/\nSet-Cookie: x", "/workspace/"),
        (None, "/workspace/"),
    ],
)
def test_only_a_workspace_path_is_returned_to(given: str | None, kept: str) -> None:
    assert safe_return_to(given, "/workspace") == kept


def test_cookie_is_secure_and_host_only_outside_development() -> None:
    workspace = Workspace(service="metadata", sessions=workspace_sessions)
    development = MetadataSettings(node_id="fi")
    production = MetadataSettings(
        node_id="fi",
        environment="test",
    )
    assert workspace.cookie_name(development) == "converge-metadata-fi"
    assert not workspace.secure(development)
    assert workspace.cookie_name(production) == "__Host-converge-metadata-fi"
    assert workspace.secure(production)


def test_the_table_keeps_a_hash_of_the_session_id() -> None:
    key = session_key("opaque-id")
    assert key != "opaque-id"
    assert len(key) == 64
    assert key == session_key("opaque-id")


def _set_cookie(response: httpx.Response) -> dict[str, Any]:
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        jar.load(header)
    morsel = jar[COOKIE]
    return {
        "value": morsel.value,
        "httponly": bool(morsel["httponly"]),
        "samesite": morsel["samesite"],
        "secure": bool(morsel["secure"]),
        "path": morsel["path"],
    }


async def _rows(url: str) -> list[Any]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(select(workspace_sessions))).mappings())
    finally:
        await engine.dispose()


async def _age_sessions(url: str, *, by: timedelta) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                update(workspace_sessions).values(
                    last_seen_at=datetime.now(UTC) - by, created_at=datetime.now(UTC) - by
                )
            )
    finally:
        await engine.dispose()


class TestSignIn:
    async def test_anonymous_page_sends_to_sign_in(self, browser: httpx.AsyncClient) -> None:
        response = await browser.get("/workspace/")
        assert response.status_code == 303
        assert response.headers["location"] == "/workspace/sign-in?next=%2Fworkspace%2F"

    async def test_authorization_request_has_pkce_state_nonce_and_resource(
        self, browser: httpx.AsyncClient, oidc_provider: OIDCProvider, metadata_db: str
    ) -> None:
        response = await browser.get("/workspace/sign-in", params={"next": "/workspace/records"})
        assert response.status_code == 303
        target = urlsplit(response.headers["location"])
        assert f"{target.scheme}://{target.netloc}{target.path}" == (
            oidc_provider.authorization_endpoint
        )
        query = {k: v[0] for k, v in parse_qs(target.query).items()}
        assert query["code_challenge_method"] == "S256"
        assert query["response_type"] == "code"
        assert query["client_id"] == "workspace"
        assert query["resource"] == AUDIENCE
        assert query["redirect_uri"] == "http://127.0.0.1/workspace/callback"
        assert len(query["state"]) >= 32
        assert len(query["nonce"]) >= 32
        cookie = _set_cookie(response)
        (row,) = await _rows(metadata_db)
        # the table holds the verifier (its challenge went out), under the id's hash
        assert row["key"] == session_key(cookie["value"])
        assert pkce_challenge(row["code_verifier"]) == query["code_challenge"]
        assert row["state"] == query["state"]
        assert row["subject"] is None

    async def test_steward_signs_in_and_the_tokens_stay_on_the_server(
        self, browser: httpx.AsyncClient, metadata_db: str
    ) -> None:
        response = await sign_in(browser, "alice", next_path="/workspace/")
        assert response.status_code == 303
        assert response.headers["location"] == "/workspace/"
        cookie = _set_cookie(response)
        assert cookie["httponly"]
        assert cookie["samesite"].lower() == "lax"
        assert not cookie["secure"]  # development mode
        assert cookie["path"] == "/"
        assert "." not in cookie["value"]  # an opaque id, not a token
        (row,) = await _rows(metadata_db)
        assert row["key"] == session_key(cookie["value"])
        assert row["subject"] == "alice"
        assert row["display_name"] == "Alice Steward"
        assert row["access_token"].count(".") == 2
        assert row["state"] is None
        page = await browser.get("/workspace/")
        assert page.status_code == 200
        assert page.headers["cache-control"] == "no-store"
        assert "default-src 'self'" in page.headers["content-security-policy"]
        doc = html.fromstring(page.text)
        assert "Alice Steward" in doc.xpath("string(//form[@class='account'])")
        assert doc.xpath("//form[@class='account']//input[@name='csrf_token']/@value") == [
            row["csrf_token"]
        ]

    async def test_the_pending_id_is_not_the_signed_in_id(
        self, browser: httpx.AsyncClient, metadata_db: str
    ) -> None:
        start = await browser.get("/workspace/sign-in")
        pending = _set_cookie(start)["value"]
        back = await provider_redirect(
            start.headers["location"], "alice", callback_path="/workspace/callback"
        )
        parts = urlsplit(back)
        done = await browser.get(f"{parts.path}?{parts.query}")
        assert done.status_code == 303
        assert _set_cookie(done)["value"] != pending
        assert [r["key"] for r in await _rows(metadata_db)] == [
            session_key(_set_cookie(done)["value"])
        ]
        # the same callback again: the pending sign-in is gone
        browser.cookies.set(COOKIE, pending)
        replay = await browser.get(f"{parts.path}?{parts.query}")
        assert replay.status_code == 400
        assert "This sign-in has expired" in replay.text

    async def test_a_callback_with_another_state_is_refused(
        self, browser: httpx.AsyncClient, metadata_db: str
    ) -> None:
        start = await browser.get("/workspace/sign-in")
        back = await provider_redirect(
            start.headers["location"], "alice", callback_path="/workspace/callback"
        )
        parts = urlsplit(back)
        query = parts.query.replace("state=", "state=x")
        response = await browser.get(f"{parts.path}?{query}")
        assert response.status_code == 400
        assert "does not match" in response.text
        assert all(row["subject"] is None for row in await _rows(metadata_db))
        assert (await browser.get("/workspace/")).status_code == 303

    async def test_signed_in_without_a_role_for_this_node_sees_why(
        self, browser: httpx.AsyncClient
    ) -> None:
        await sign_in(browser, "bob")
        page = await browser.get("/workspace/")
        assert page.status_code == 403
        assert page.headers["content-type"].startswith("text/html")
        doc = html.fromstring(page.text)
        assert doc.xpath("string(//h1)") == "No access to this workspace"
        text = doc.xpath("string(//main)")
        assert "Bob Reader" in text
        assert "not a data steward of Node Germany" in text
        assert "node:de:steward" in text
        # and can sign out from there
        assert doc.xpath("//main//form[@action='/workspace/sign-out']")

    async def test_a_steward_of_another_node_is_refused(self, browser: httpx.AsyncClient) -> None:
        await sign_in(browser, "lsl-steward")  # an unmapped entitlement: no role here
        assert (await browser.get("/workspace/")).status_code == 403


class TestSignOut:
    async def test_sign_out_needs_the_session_csrf_token(
        self, browser: httpx.AsyncClient, metadata_db: str
    ) -> None:
        await sign_in(browser, "alice")
        (row,) = await _rows(metadata_db)
        refused = await browser.post("/workspace/sign-out", data={"csrf_token": "guess"})
        assert refused.status_code == 403
        assert "This form has expired" in refused.text
        missing = await browser.post("/workspace/sign-out")
        assert missing.status_code == 403
        assert len(await _rows(metadata_db)) == 1
        done = await browser.post("/workspace/sign-out", data={"csrf_token": row["csrf_token"]})
        assert done.status_code == 303
        assert done.headers["location"] == "/workspace/signed-out"
        assert await _rows(metadata_db) == []
        assert (await browser.get("/workspace/")).status_code == 303
        assert "You are signed out" in (await browser.get("/workspace/signed-out")).text

    async def test_a_script_may_send_the_token_as_a_header(
        self, browser: httpx.AsyncClient, metadata_db: str
    ) -> None:
        await sign_in(browser, "alice")
        (row,) = await _rows(metadata_db)
        done = await browser.post(
            "/workspace/sign-out", headers={"X-CSRF-Token": row["csrf_token"]}
        )
        assert done.status_code == 303
        assert await _rows(metadata_db) == []

    async def test_anonymous_sign_out_goes_to_sign_in(self, browser: httpx.AsyncClient) -> None:
        response = await browser.post("/workspace/sign-out", data={"csrf_token": "x"})
        assert response.status_code == 303
        assert response.headers["location"].startswith("/workspace/sign-in")


class TestExpiry:
    async def test_an_idle_session_ends(
        self, browser: httpx.AsyncClient, metadata_db: str, ws_settings: MetadataSettings
    ) -> None:
        await sign_in(browser, "alice")
        assert (await browser.get("/workspace/")).status_code == 200
        await _age_sessions(metadata_db, by=timedelta(seconds=ws_settings.workspace_session_idle_s))
        expired = await browser.get("/workspace/")
        assert expired.status_code == 303
        # the sign-in page deletes it (and every other expired one) with its tokens
        await browser.get(expired.headers["location"])
        assert [row["subject"] for row in await _rows(metadata_db)] == [None]

    async def test_a_session_ends_at_its_absolute_expiry(
        self, browser: httpx.AsyncClient, metadata_db: str
    ) -> None:
        await sign_in(browser, "alice")
        engine = create_async_engine(metadata_db)
        async with engine.begin() as conn:
            await conn.execute(
                update(workspace_sessions).values(expires_at=datetime.now(UTC) - timedelta(1))
            )
        await engine.dispose()
        assert (await browser.get("/workspace/")).status_code == 303


async def test_the_shared_assets_are_served_under_the_workspace(
    browser: httpx.AsyncClient,
) -> None:
    sheet = await browser.get("/workspace/static/converge.css")
    assert sheet.status_code == 200
    assert sheet.headers["content-type"].startswith("text/css")
    assert (await browser.get("/workspace/static/favicon.svg")).status_code == 200


async def test_apps_of_one_service_keep_their_own_sign_in_client(
    browser: httpx.AsyncClient, ws_settings: MetadataSettings
) -> None:
    # a second app of the same service (as a test federation's Nodes are) starts and stops
    async with asgi_client(create_app(ws_settings)) as other:
        assert (await other.get("/workspace/")).status_code == 303
    response = await sign_in(browser, "alice")
    assert response.status_code == 303
    assert (await browser.get("/workspace/")).status_code == 200


async def test_without_a_client_the_workspace_says_it_is_not_set_up(
    metadata_db: str, tmp_path: Path, oidc_settings: dict[str, Any]
) -> None:
    settings = MetadataSettings(
        database_url=metadata_db,
        data_dir=tmp_path,
        node_id="de",
        auto_migrate=False,
        log_json=False,
        **oidc_settings,
    )
    async with asgi_client(create_app(settings)) as client:
        response = await client.get("/workspace/sign-in")
    assert response.status_code == 404
    assert "The workspace is not set up" in response.text


class TestIdToken:
    async def test_nonce_audience_and_issuer_are_checked(self, oidc_provider: OIDCProvider) -> None:
        async with httpx.AsyncClient(timeout=10) as http:
            verifier = OIDCVerifier(issuer=oidc_provider.issuer, audience=AUDIENCE, client=http)
            claims = oidc_provider.valid_claims(audience="workspace", sub="alice", nonce="n-1")
            good = oidc_provider.forge_token(claims, header={"typ": "JWT"})
            assert (await verifier.verify_id_token(good, client_id="workspace", nonce="n-1"))[
                "sub"
            ] == "alice"
            with pytest.raises(TokenError):
                await verifier.verify_id_token(good, client_id="workspace", nonce="n-2")
            with pytest.raises(TokenError):
                await verifier.verify_id_token(good, client_id="portal", nonce="n-1")
            other = oidc_provider.forge_token({**claims, "iss": "https://elsewhere.example"})
            with pytest.raises(TokenError):
                await verifier.verify_id_token(other, client_id="workspace", nonce="n-1")
            unsigned = token_alg_none(claims)
            with pytest.raises(TokenError):
                await verifier.verify_id_token(unsigned, client_id="workspace", nonce="n-1")

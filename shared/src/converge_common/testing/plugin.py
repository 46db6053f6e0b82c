"""pytest plugin of the CONVERGE test suite (``-p converge_common.testing.plugin``).

Fixtures:

- ``db_backend``: ``sqlite`` and ``postgresql`` (skipped unless ``CONVERGE_TEST_POSTGRES_URL``
  is set; CI always sets it); every database test runs on both.
- ``service_database(...)``: builds a per-service fixture yielding the URL of a database
  migrated by that service's own Alembic scripts, emptied after each test.
- ``oidc_provider``: the real OpenID provider (npm ``oidc-provider``) on a loopback port,
  with the federation's test clients and people; ``tokens`` gets real tokens from it.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import MetaData

from converge_common.testing.db import BACKENDS, TestDatabase, postgres_admin_url
from converge_common.testing.oidc import OIDCClient, OIDCProvider

__all__ = ["AUDIENCE", "OTHER_AUDIENCE", "Tokens", "service_database"]

AUDIENCE = "urn:converge:test"
OTHER_AUDIENCE = "urn:converge:elsewhere"
TEST_NODES = ("de", "fi", "pt", "nl")
LSL_STEWARD_ENTITLEMENT = (
    "urn:geant:lifescience-ri.eu:group:elixir-de:stewards#aai.lifescience-ri.eu"
)
REDIRECT_URI = "http://127.0.0.1:9/callback"
# the Node workspaces' client: a loopback redirect on any port (application_type native)
WORKSPACE_CLIENT = "workspace"
WORKSPACE_SECRET = "workspace-secret"
WORKSPACE_REDIRECT_PATHS = ("/workspace/callback",)


@pytest.fixture(scope="session", params=BACKENDS)
def db_backend(request: pytest.FixtureRequest) -> str:
    backend = str(request.param)
    if backend == "postgresql" and postgres_admin_url() is None:
        pytest.skip("PostgreSQL tests need CONVERGE_TEST_POSTGRES_URL")
    return backend


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def _test_databases() -> AsyncIterator[dict[tuple[str, str], TestDatabase]]:
    cache: dict[tuple[str, str], TestDatabase] = {}
    yield cache
    for database in cache.values():
        await database.drop()


def service_database(
    service: str,
    migrations: Path,
    metadata: MetaData,
    *,
    extra_tables: Sequence[str] = (),
) -> Callable[..., AsyncIterator[str]]:
    """A fixture yielding the URL of ``service``'s migrated, empty database on each backend."""

    @pytest_asyncio.fixture(loop_scope="session")
    async def fixture(
        db_backend: str,
        _test_databases: dict[tuple[str, str], TestDatabase],
        tmp_path_factory: pytest.TempPathFactory,
    ) -> AsyncIterator[str]:
        key = (service, db_backend)
        database = _test_databases.get(key)
        if database is None:
            database = TestDatabase(
                service=service,
                backend=db_backend,
                migrations=migrations,
                metadata=metadata,
                tmp_dir=tmp_path_factory.mktemp(f"db-{service}"),
                extra_tables=extra_tables,
            )
            await database.create()
            _test_databases[key] = database
        try:
            yield database.url
        finally:
            await database.clear()

    return fixture


def _clients() -> list[OIDCClient]:
    clients = [
        OIDCClient("federation-admin", "admin-secret", ["client_credentials"], "federation:admin"),
        OIDCClient("reader", "reader-secret", ["client_credentials"], "controlled:read"),
        OIDCClient("nobody", "nobody-secret", ["client_credentials"], "profile"),
        OIDCClient(
            "portal",
            None,
            ["authorization_code", "refresh_token"],
            "openid profile email",
            redirect_uris=[REDIRECT_URI],
            token_endpoint_auth_method="none",
        ),
        OIDCClient(
            WORKSPACE_CLIENT,
            WORKSPACE_SECRET,
            ["authorization_code"],
            "openid profile email",
            redirect_uris=[f"http://127.0.0.1{path}" for path in WORKSPACE_REDIRECT_PATHS],
            application_type="native",
        ),
    ]
    for node in TEST_NODES:
        clients.append(
            OIDCClient(
                f"node-{node}",
                f"node-{node}-secret",
                ["client_credentials"],
                f"node:{node}:admin node:{node}:steward",
            )
        )
    return clients


ACCOUNTS: dict[str, dict[str, Any]] = {
    "alice": {
        "name": "Alice Steward",
        "email": "alice@example.org",
        "eduperson_entitlement": ["node:de:steward"],
    },
    "bob": {"name": "Bob Reader", "email": "bob@example.org", "eduperson_entitlement": []},
    "olli": {
        "name": "Olli Steward",
        "email": "olli@example.org",
        "eduperson_entitlement": ["node:fi:steward"],
    },
    "carol": {
        "name": "Carol Operator",
        "email": "carol@example.org",
        "eduperson_entitlement": ["federation:admin"],
    },
    "lsl-steward": {
        "name": "Life Science Login steward",
        "email": "lsl@example.org",
        "eduperson_entitlement": [LSL_STEWARD_ENTITLEMENT],
    },
}


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[OIDCProvider]:
    if shutil.which("node") is None and not os.environ.get("CI"):
        pytest.skip("the test OpenID provider needs Node.js")
    all_scopes = sorted({s for c in _clients() for s in c.scope.split()} - {"openid"})
    resources = {AUDIENCE: all_scopes, OTHER_AUDIENCE: all_scopes}
    provider = OIDCProvider(
        clients=_clients(), accounts=ACCOUNTS, resources=resources, resource_ttl=3600
    )
    provider.start()
    try:
        yield provider
    finally:
        provider.stop()


def _expires_at(token: str) -> float:
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return float(claims.get("exp", 0))


class _TokenCache(dict[tuple[str, ...], str]):
    """Forgets a token a minute before it expires, so long test runs never use a stale one."""

    def __contains__(self, key: object) -> bool:
        token = self.get(key)  # type: ignore[call-overload]
        return token is not None and _expires_at(token) - time.time() > 60


class Tokens:
    """Real tokens from the test provider, cached while they are valid."""

    def __init__(self, provider: OIDCProvider) -> None:
        self.provider = provider
        self._cache = _TokenCache()

    def client(self, client_id: str, *, scope: str | None = None, audience: str = AUDIENCE) -> str:
        key = ("client", client_id, scope or "", audience)
        if key not in self._cache:
            self._cache[key] = self.provider.client_credentials_token(
                client_id, scope=scope, resource=audience
            )
        return self._cache[key]

    def node(self, node_id: str) -> str:
        return self.client(f"node-{node_id}")

    def admin(self) -> str:
        return self.client("federation-admin")

    def nobody(self) -> str:
        return self.client("nobody")

    def user(self, account: str, *, audience: str = AUDIENCE) -> str:
        key = ("user", account, audience)
        if key not in self._cache:
            self._cache[key] = self.provider.user_token(
                account, client_id="portal", scope="openid profile email", resource=audience
            )
        return self._cache[key]

    def clear(self) -> None:
        self._cache.clear()


@pytest.fixture(scope="session")
def tokens(oidc_provider: OIDCProvider) -> Tokens:
    return Tokens(oidc_provider)


@pytest.fixture(scope="session")
def oidc_settings(oidc_provider: OIDCProvider) -> dict[str, Any]:
    """Settings fields that point a service at the test provider."""
    return {
        "oidc_issuer": oidc_provider.issuer,
        "oidc_audience": AUDIENCE,
        "oidc_jwks_min_refresh_s": 0.0,
    }


@pytest.fixture(scope="session")
def workspace_settings(oidc_settings: dict[str, Any]) -> dict[str, Any]:
    """Settings fields that turn a Node service's workspace on against the test provider
    (add ``workspace_redirect_uri`` with the port the service listens on, if it does)."""
    return {
        **oidc_settings,
        "workspace_client_id": WORKSPACE_CLIENT,
        "workspace_client_secret": WORKSPACE_SECRET,
        "workspace_redirect_uri": "http://127.0.0.1/workspace/callback",
    }


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}

"""The impact service on a migrated database (SQLite and PostgreSQL), real OIDC tokens.

Roles: ``admin`` is the de Node's client (node:de:admin and steward), ``steward`` is Alice
(a person with node:de:steward only), ``other_node`` the fi Node's client, ``nobody`` a
valid token without any role.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from converge_common.testing.asgi import asgi_client
from converge_common.testing.plugin import Tokens, bearer, service_database
from converge_impact.app import MIGRATIONS, create_app
from converge_impact.models import Base
from converge_impact.settings import ImpactSettings

impact_db = service_database("impact", MIGRATIONS, Base.metadata)

Headers = dict[str, str]


@pytest.fixture
def impact_settings(
    impact_db: str, tmp_path: Path, oidc_settings: dict[str, Any]
) -> Callable[..., ImpactSettings]:
    def make(**overrides: Any) -> ImpactSettings:
        values: dict[str, Any] = {
            "database_url": impact_db,
            "data_dir": tmp_path,
            "node_id": "de",
            "node_name": "ELIXIR Germany",
            "auto_migrate": False,
            "log_json": False,
            "derive_interval_s": 0,
            **oidc_settings,
        }
        values.update(overrides)
        return ImpactSettings(**values)

    return make


@pytest_asyncio.fixture(loop_scope="session")
async def api(impact_settings: Callable[..., ImpactSettings]) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(create_app(impact_settings())) as client:
        yield client


@pytest.fixture
def admin(tokens: Tokens) -> Headers:
    return bearer(tokens.node("de"))


@pytest.fixture
def steward(tokens: Tokens) -> Headers:
    return bearer(tokens.user("alice"))


@pytest.fixture
def other_node(tokens: Tokens) -> Headers:
    return bearer(tokens.node("fi"))


@pytest.fixture
def nobody(tokens: Tokens) -> Headers:
    return bearer(tokens.nobody())


async def report(
    api: httpx.AsyncClient,
    headers: Headers,
    indicator: str,
    period: str,
    value: float,
    **extra: Any,
) -> dict[str, Any]:
    body = {"indicator": indicator, "period": period, "value": value, **extra}
    response = await api.post("/api/v1/values", json=body, headers=headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def validated(
    api: httpx.AsyncClient, admin: Headers, indicator: str, period: str, value: float, **extra: Any
) -> dict[str, Any]:
    """A value taken through the whole workflow by the Node's admin."""
    created = await report(api, admin, indicator, period, value, **extra)
    url = f"/api/v1/values/{created['id']}"
    assert (await api.post(url + "/submit", headers=admin)).status_code == 200
    response = await api.post(url + "/validate", headers=admin)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result

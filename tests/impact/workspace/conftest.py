"""The impact service's workspace pages through the real app, signed in at the real OpenID
provider (authorization code + PKCE, ``converge_common.testing.workspace``).

People: ``alice`` a steward of Node ``de``, ``dana`` its admin, ``olli`` a steward of
Node ``fi``, ``bob`` signed in without any role.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest_asyncio
from converge_common.testing.workspace import sign_in
from converge_impact.app import create_app
from converge_impact.settings import ImpactSettings
from fastapi import FastAPI

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_ETAG = re.compile(r'name="etag" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def etag_of(html: str) -> str:
    found = _ETAG.search(html)
    assert found, "the page has no form with the value's ETag"
    return found.group(1).replace("&#34;", '"').replace("&quot;", '"')


class Workspace:
    """One impact app with its lifespan running, and a browser-like client per person."""

    def __init__(self, app: FastAPI, stack: AsyncExitStack) -> None:
        self.app = app
        self._stack = stack

    async def client(self) -> httpx.AsyncClient:
        """Cookies kept, redirects not followed (the tests look at each 303)."""
        transport = httpx.ASGITransport(app=self.app)
        return await self._stack.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1")
        )

    async def person(self, account: str) -> httpx.AsyncClient:
        client = await self.client()
        response = await sign_in(client, account)
        assert response.status_code == 303, response.text
        return client


@pytest_asyncio.fixture(loop_scope="session")
async def workspace(
    impact_settings: Callable[..., ImpactSettings], workspace_settings: dict[str, Any]
) -> AsyncIterator[Workspace]:
    app = create_app(impact_settings(**workspace_settings))
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(app.router.lifespan_context(app))
        yield Workspace(app, stack)


async def post_form(
    client: httpx.AsyncClient, page: str, action: str, data: dict[str, str], **kwargs: Any
) -> httpx.Response:
    """Open ``page``, then send its form to ``action`` with the page's CSRF token."""
    shown = await client.get(page)
    assert shown.status_code == 200, shown.text
    return await client.post(action, data={"csrf_token": csrf_of(shown.text), **data}, **kwargs)

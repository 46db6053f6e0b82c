"""The authorisation matrix: every route of every service x every kind of caller.

The routes come from the running apps (``app.routes``), never from a hand-kept list; each must
have an entry in :mod:`tests.security.authz_rules`, whose policy names the outcome for each
caller. Every cell is a real request over HTTP with a real token from the test OpenID provider,
on seeded data (SQLite and PostgreSQL).

**Adding a route** (e.g. the impact service's): add one line per route to
``RULES["impact"]`` in ``tests/security/authz_rules.py``, ``("POST", "/api/v1/values"):
NODE_STEWARD,``, using an existing policy or a new ``policy(...)``; when the route's
authorisation is decided only after its body is read, add a valid body to
``SAMPLE_BODIES``; when the route destroys what it names, add a factory to ``FRESH`` below that
creates a fresh target for each caller. Then re-render the table in ``docs/reliability.md``
with ``uv run python -m scripts.authz_matrix``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from converge_common.testing.plugin import Tokens, bearer
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from tests.security.authz_matrix import build_app, current_section, render
from tests.security.authz_rules import CALLERS, RULES, SAMPLE_BODIES, Outcome
from tests.security.conftest import NODE, OTHER_NODE, Stack

pytestmark = pytest.mark.oidc


def api_routes(app: FastAPI) -> list[tuple[str, str]]:
    """``(METHOD, path template)`` of every API route of ``app`` (not the docs pages)."""
    found = []
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            for method in sorted(context.methods or ()):
                found.append((method, str(context.path)))
    return found


def caller_headers(tokens: Tokens, caller: str) -> dict[str, str]:
    token = {
        "anonymous": None,
        "reader": lambda: tokens.user("bob"),
        "controlled": lambda: tokens.client("reader"),
        "other_steward": lambda: tokens.client(
            f"node-{OTHER_NODE}", scope=f"node:{OTHER_NODE}:steward"
        ),
        "steward": lambda: tokens.user("alice"),
        "node_admin": lambda: tokens.client(f"node-{NODE}", scope=f"node:{NODE}:admin"),
        "fed_admin": tokens.admin,
    }[caller]
    return {} if token is None else bearer(token())


Fresh = Callable[[Stack, Tokens], Awaitable[dict[str, str]]]


async def _fresh_person(stack: Stack, tokens: Tokens) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=stack.url("registry"), timeout=20) as client:
        response = await client.post(
            f"/api/v1/nodes/{NODE}/people",
            json={"name": "Disposable Person", "role": "trainer"},
            headers=bearer(tokens.node(NODE)),
        )
    assert response.status_code == 201, response.text
    return {"person_id": str(response.json()["id"])}


async def _fresh_webhook(stack: Stack, tokens: Tokens) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=stack.url("registry"), timeout=20) as client:
        response = await client.post(
            "/api/v1/webhooks",
            json={"url": "http://127.0.0.1:9/hook"},
            headers=bearer(tokens.admin()),
        )
    assert response.status_code == 201, response.text
    return {"webhook_id": str(response.json()["id"])}


async def _fresh_service(stack: Stack, tokens: Tokens) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=stack.url("registry"), timeout=20) as client:
        response = await client.put(
            f"/api/v1/nodes/{NODE}/services/impact",
            json={"base_url": stack.url("impact"), "api_version": "1.0.0"},
            headers=bearer(tokens.node(NODE)),
        )
    assert response.status_code in (200, 201), response.text
    return {"kind": "impact"}


# routes that destroy what they name: each caller gets its own target
FRESH: dict[tuple[str, str], Fresh] = {
    ("DELETE", "/api/v1/people/{person_id}"): _fresh_person,
    ("DELETE", "/api/v1/webhooks/{webhook_id}"): _fresh_webhook,
    ("DELETE", "/api/v1/nodes/{node_id}/services/{kind}"): _fresh_service,
}


def path_values(stack: Stack) -> dict[str, str]:
    """What each path parameter names: seeded, published, public things of Node ``de``."""
    return {
        "node_id": NODE,
        "kind": "metadata",
        "person_id": stack.people[0],
        "webhook_id": "00000000-0000-0000-0000-000000000000",
        "record_id": stack.records[1],
        "record_type": "Dataset",
        "version": "1",
        "global_id": f"{NODE}:{stack.records[1]}",
        "n": "0",
        "code": "training.events.held",
        "pathway": "skills_development",
        "value_id": stack.values[0],
        "job_id": stack.imports[0],
        "year": "2025",
        "part": "values",
    }


def outcome_of(response: httpx.Response) -> Outcome:
    assert response.status_code < 500, f"{response.status_code}: {response.text[:500]}"
    if response.status_code in (401, 403, 404):
        return str(response.status_code)  # type: ignore[return-value]
    if response.status_code == 303 and "/workspace/sign-in" in response.headers["location"]:
        return "sign-in"
    return "ok"


class TestEveryRouteHasARule:
    @pytest.mark.parametrize("service", sorted(RULES))
    def test_rules_match_the_routes(self, service: str) -> None:
        routes = set(api_routes(build_app(service)))
        rules = set(RULES[service])
        missing = sorted(routes - rules)
        assert not missing, (
            f"{service}: no authorisation rule for {missing}; add one line per route to "
            f"RULES[{service!r}] in tests/security/authz_rules.py"
        )
        stale = sorted(rules - routes)
        assert not stale, f"{service}: rules for routes that no longer exist: {stale}"

    def test_the_documented_matrix_is_the_rules(self) -> None:
        committed = current_section(Path(__file__).parents[2] / "docs" / "reliability.md")
        assert committed == render(), (
            "docs/reliability.md's authorisation matrix differs from the rules: run "
            "`uv run python -m scripts.authz_matrix`"
        )


class TestAuthorisationMatrix:
    @pytest.mark.parametrize("service", sorted(RULES))
    async def test_every_route_for_every_caller(
        self, stack: Stack, tokens: Tokens, service: str
    ) -> None:
        values = path_values(stack)
        differences: list[str] = []
        async with httpx.AsyncClient(base_url=stack.url(service), timeout=30) as client:
            for method, template in api_routes(stack.apps[service]):
                expected = RULES[service].get((method, template))
                assert expected is not None, (
                    f"no authorisation rule for {method} {template}: add one to "
                    f"RULES[{service!r}] in tests/security/authz_rules.py"
                )
                body = SAMPLE_BODIES.get((method, template))
                for caller, wanted in zip(CALLERS, expected, strict=True):
                    params = dict(values)
                    fresh = FRESH.get((method, template))
                    if fresh is not None:
                        params.update(await fresh(stack, tokens))
                    kwargs: dict[str, Any] = {"headers": caller_headers(tokens, caller)}
                    if method in ("POST", "PUT", "PATCH"):
                        kwargs["json"] = body if body is not None else {}
                    response = await client.request(method, template.format(**params), **kwargs)
                    got = outcome_of(response)
                    if got != wanted:
                        differences.append(
                            f"{method} {template} as {caller}: expected {wanted}, got "
                            f"{response.status_code} {response.text[:200]}"
                        )
        assert not differences, "\n".join(differences)

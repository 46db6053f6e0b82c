"""The one check of callers' text (issue #10): what it refuses, and where it reports it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from converge_common.inputs import printable, text_errors, text_problem
from converge_common.testing.asgi import asgi_client
from converge_common.testing.plugin import Tokens, bearer
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.shared.harness import HarnessSettings, create_harness_app


@pytest_asyncio.fixture(loop_scope="session")
async def harness(
    harness_settings: HarnessSettings, oidc_settings: dict[str, Any]
) -> AsyncIterator[httpx.AsyncClient]:
    settings = harness_settings.model_copy(update=oidc_settings)
    async with asgi_client(create_harness_app(settings)) as client:
        yield client


class TestTextProblem:
    @pytest.mark.parametrize(
        "value",
        ["", "plain", "tab\tline\nreturn\r", "Größe", "脳", "\U0001f9e0", "\ud7ff\ue000\ufffd"],
    )
    def test_acceptable(self, value: str) -> None:
        assert text_problem(value) is None

    @pytest.mark.parametrize(
        ("value", "kind"),
        [
            ("a\x00", "NUL (U+0000) at position 1"),
            ("\x01", "a control character (U+0001)"),
            ("\x1f", "a control character (U+001F)"),
            ("\ud800", "a lone surrogate (U+D800)"),
            ("x\udfff", "a lone surrogate (U+DFFF)"),
            ("\ufffe", "a non-character (U+FFFE)"),
            ("\uffff", "a non-character (U+FFFF)"),
        ],
    )
    def test_refused(self, value: str, kind: str) -> None:
        reason = text_problem(value)
        assert reason is not None
        assert kind in reason

    @settings(max_examples=2000, derandomize=True)
    @given(
        code=st.one_of(st.integers(0, 0x10FFFF), st.integers(0, 0x20), st.integers(0xD7F0, 0xE010))
    )
    def test_exactly_what_xml_cannot_hold(self, code: int) -> None:
        """The rule is XML 1.0's Char production, checked against a real XML library."""
        try:
            etree.Element("a").text = f"x{chr(code)}"
            xml_ok = True
        except ValueError:
            xml_ok = False
        assert (text_problem(chr(code)) is None) is xml_ok

    def test_printable_escapes_only_what_is_refused(self) -> None:
        assert printable("a\x00b\ud800ü") == "a\\u0000b\\ud800ü"


class TestTextErrors:
    def test_pointers_to_values_and_keys(self) -> None:
        value = {"a": ["ok", "b\x00"], "k\x00": 1, "n": {"m/x": "\ud800"}, "i": 5}
        pointers = {e["pointer"] for e in text_errors(value)}
        assert pointers == {"/a/1", "/k\\u0000", "/n/m~1x"}
        assert {e["rule"] for e in text_errors(value)} == {"text"}

    def test_prefix(self) -> None:
        assert text_errors(["\x00"], prefix=("body",))[0]["pointer"] == "/body/0"

    def test_deep_nesting_does_not_recurse(self) -> None:
        value: object = "\x00"
        for _ in range(50_000):
            value = [value]
        errors = text_errors(value)
        assert len(errors) == 1
        assert errors[0]["pointer"] == "/0" * 50_000

    def test_report_is_capped(self) -> None:
        assert len(text_errors(["\x00"] * 1000)) == 20


class TestHarnessApp:
    async def test_query_parameter(self, harness: httpx.AsyncClient) -> None:
        response = await harness.get("/api/v1/items", params={"cursor": "a\x00"})
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        (error,) = response.json()["errors"]
        assert (error["pointer"], error["rule"], error["in"]) == ("/cursor", "text", "query")

    async def test_json_body(self, harness: httpx.AsyncClient, tokens: Tokens) -> None:
        body = json.dumps({"name": "ab\ud800", "tags": ["x", "\x00"], "size": 1})
        headers = {**bearer(tokens.node("de")), "Content-Type": "application/json"}
        response = await harness.post("/api/v1/items", content=body, headers=headers)
        assert response.status_code == 422, response.text
        errors = {(e["pointer"], e["rule"]) for e in response.json()["errors"]}
        assert errors == {("/name", "text"), ("/tags/1", "text")}
        # nothing was stored
        listed = await harness.get("/api/v1/items")
        assert listed.json()["items"] == []

    async def test_valid_text_passes(self, harness: httpx.AsyncClient, tokens: Tokens) -> None:
        body = {"name": "Größe 脳 \U0001f9e0", "tags": ["tab\there"], "size": 1}
        response = await harness.post("/api/v1/items", json=body, headers=bearer(tokens.node("de")))
        assert response.status_code == 201, response.text
        assert response.json()["name"] == body["name"]

"""Field syntax rules: the URL check's fast path must give urlsplit's verdicts."""

from __future__ import annotations

import pytest
from converge_metadata.records.fields import LanguageTag, Orcid, Url
from pydantic import TypeAdapter, ValidationError

_URL = TypeAdapter(Url)
_LANGUAGE = TypeAdapter(LanguageTag)
_ORCID = TypeAdapter(Orcid)


def _rule(adapter: TypeAdapter[str], value: object) -> str:
    with pytest.raises(ValidationError) as caught:
        adapter.validate_python(value)
    return str(caught.value.errors()[0]["type"])


class TestUrl:
    @pytest.mark.parametrize(
        ("value", "stored"),
        [
            ("https://example.org", "https://example.org"),
            ("  http://example.org/a?b=c#d  ", "http://example.org/a?b=c#d"),
            ("HTTPS://Example.org:8080/x", "HTTPS://Example.org:8080/x"),
            ("https://user@example.org/%5Bx%5D", "https://user@example.org/%5Bx%5D"),
            ("https://例え.jp/パス?q=値#frag", "https://例え.jp/パス?q=値#frag"),  # RFC 3987
            ("https://example.org/?q=\ue000", "https://example.org/?q=\ue000"),  # iprivate
            ("http://10.0.0.1/it's(1)*;a=b,c", "http://10.0.0.1/it's(1)*;a=b,c"),
            ("https://[v1.x]/", "https://[v1.x]/"),  # IPvFuture
            ("https://[::1]:8080/", "https://[::1]:8080/"),  # not the fast path: brackets
            ("https://bücher.example/", "https://bücher.example/"),  # not ASCII
        ],
    )
    def test_accepted(self, value: str, stored: str) -> None:
        assert _URL.validate_python(value) == stored

    @pytest.mark.parametrize(
        "value",
        ["ftp://example.org", "http:///path", "https://", "example.org", "http://a b", "mailto:x"],
    )
    def test_rejected(self, value: str) -> None:
        assert _rule(_URL, value) == "url"

    @pytest.mark.parametrize("char", [*list('"<>{}|^`\\ []'), "%", "%4", "%zz", "\ue000", "\x7f"])
    def test_characters_rfc_3986_does_not_allow_in_a_path(self, char: str) -> None:
        # one such character once broke the Node's whole DCAT catalogue (issue #10)
        assert _rule(_URL, f"https://example.org/a{char}z") == "url"

    def test_broken_ipv6_literal_rejected(self) -> None:
        assert _rule(_URL, "https://[1:2:3]/") == "url"

    def test_broken_ipv6_host_rejected(self) -> None:
        with pytest.raises(ValidationError):
            _URL.validate_python("http://[::1/x")


class TestLanguageTag:
    def test_normalised_then_remembered(self) -> None:
        assert _LANGUAGE.validate_python("EN-GB") == "en-GB"
        assert _LANGUAGE.validate_python("EN-GB") == "en-GB"

    def test_invalid_fails_every_time(self) -> None:
        assert _rule(_LANGUAGE, "english!") == "language_tag"
        assert _rule(_LANGUAGE, "english!") == "language_tag"


class TestOrcid:
    def test_spaces_and_prefix(self) -> None:
        stored = _ORCID.validate_python(" https://orcid.org/0000-0002-1825-0097 ")
        assert stored == "https://orcid.org/0000-0002-1825-0097"

    def test_not_a_string(self) -> None:
        assert _rule(_ORCID, 12) == "string_type"

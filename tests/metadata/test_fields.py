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
            ("https://user@example.org/[x]", "https://user@example.org/[x]"),
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

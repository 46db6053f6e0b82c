"""SignedToken: one signed, time-limited format for every cursor and resumption token."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from converge_common.errors import BadRequest
from converge_common.tokens import InvalidToken, SignedToken
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel


class Position(BaseModel):
    where: str
    after: datetime | None = None
    offset: int = 0


class Other(BaseModel):
    where: str


class Needs(BaseModel):
    offset: int


class Clock:
    def __init__(self, at: float) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at


SECRET = "test-secret"
AT = datetime(2026, 1, 2, 3, 4, 5, 678_000, tzinfo=UTC)


def tokens(**kwargs: object) -> SignedToken[Position]:
    options: dict[str, object] = {"secret": SECRET, "purpose": "position"} | kwargs
    return SignedToken(Position, **options)  # type: ignore[arg-type]


class TestRoundTrip:
    def test_value_comes_back(self) -> None:
        value = Position(where="node-a", after=AT, offset=40)
        assert tokens().loads(tokens().dumps(value)) == value

    def test_defaults_are_left_out(self) -> None:
        short = tokens().dumps(Position(where="x"))
        longer = tokens().dumps(Position(where="x", after=AT, offset=1))
        assert len(short) < len(longer)

    def test_long_payload_is_compressed(self) -> None:
        value = Position(where="node-" * 200)
        token = tokens().dumps(value)
        assert len(token) < 300
        assert tokens().loads(token) == value

    def test_token_is_url_safe(self) -> None:
        token = tokens().dumps(Position(where="?&=/+ é" * 5, offset=3))
        assert set(token) <= set(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
        )

    def test_expiry_is_issue_time_plus_max_age(self) -> None:
        clock = Clock(AT.timestamp())
        signed = tokens(max_age=timedelta(minutes=5), clock=clock)
        assert signed.expires_at() == AT.replace(microsecond=0) + timedelta(minutes=5)


class TestRefused:
    def test_tampered(self) -> None:
        token = tokens().dumps(Position(where="node-a"))
        payload, rest = token.split(".", 1)
        forged = base64.urlsafe_b64encode(b'{"where":"node-b"}').rstrip(b"=").decode()
        with pytest.raises(InvalidToken) as caught:
            tokens().loads(f"{forged}.{rest}")
        assert not caught.value.expired
        assert payload != forged

    def test_other_secret(self) -> None:
        token = tokens(secret="another").dumps(Position(where="a"))
        with pytest.raises(InvalidToken):
            tokens().loads(token)

    def test_other_purpose_with_the_same_shape(self) -> None:
        # the same model and secret under another purpose: never accepted as this kind
        token = tokens(purpose="something-else").dumps(Position(where="a"))
        with pytest.raises(InvalidToken):
            tokens().loads(token)

    def test_other_kind(self) -> None:
        other = SignedToken(Other, secret=SECRET, purpose="other").dumps(Other(where="a"))
        with pytest.raises(InvalidToken):
            tokens().loads(other)

    def test_expired(self) -> None:
        clock = Clock(AT.timestamp())
        signed = tokens(max_age=timedelta(minutes=5), clock=clock)
        token = signed.dumps(Position(where="a"))
        clock.at += 300
        assert signed.loads(token).where == "a"  # valid up to and including its expiry
        clock.at += 1
        with pytest.raises(InvalidToken) as caught:
            signed.loads(token)
        assert caught.value.expired

    def test_oversize_input_refused_before_decoding(self) -> None:
        signed = tokens(max_length=64)
        with pytest.raises(InvalidToken):
            signed.loads("A" * 65)

    def test_oversize_value_not_issued(self) -> None:
        with pytest.raises(ValueError, match="position token"):
            tokens(max_length=64).dumps(Position(where="x" * 200))

    def test_valid_signature_wrong_shape(self) -> None:
        # signed with this secret and purpose, but not this kind's shape
        token = SignedToken(Other, secret=SECRET, purpose="position").dumps(Other(where="a"))
        with pytest.raises(InvalidToken):
            SignedToken(Needs, secret=SECRET, purpose="position").loads(token)


class TestOneProblem:
    def test_problem_names_the_parameter_and_rule(self) -> None:
        signed = tokens(parameter="resumptionToken")
        with pytest.raises(BadRequest) as caught:
            signed.loads("garbage")
        problem = caught.value.to_problem()
        assert problem["status"] == 400
        assert problem["errors"] == [
            {
                "pointer": "/resumptionToken",
                "rule": "cursor",
                "detail": "malformed or tampered cursor",
            }
        ]

    @pytest.mark.parametrize(
        "garbage",
        ["", ".", "..", "a.b.c", "!!!not base64", "\udcff", "\x00" * 10, ".eJzLSM3JyQcABiwCFQ.x.y"],
    )
    def test_known_garbage(self, garbage: str) -> None:
        with pytest.raises(InvalidToken):
            tokens().loads(garbage)

    @given(st.text(max_size=200))
    def test_any_text_raises_only_invalid_token(self, garbage: str) -> None:
        with pytest.raises(InvalidToken):
            tokens().loads(garbage)

    @given(st.binary(max_size=120))
    def test_any_signed_looking_text_raises_only_invalid_token(self, body: bytes) -> None:
        token = tokens().dumps(Position(where="a"))
        _, stamp, signature = token.rsplit(".", 2)
        payload = base64.urlsafe_b64encode(body).rstrip(b"=").decode()
        with pytest.raises(InvalidToken):
            tokens().loads(f"{payload}.{stamp}.{signature}")

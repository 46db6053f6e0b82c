"""Fault tests reuse the gateway's simulated federation (``federation``)."""

from tests.gateway.conftest import federation

__all__ = ["federation"]

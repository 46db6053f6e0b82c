"""The SSRF guard: what may be registered, what may be called, and that the check is the call."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import pytest_asyncio
from converge_common.http import HttpLimits, create_http_client, fetch
from converge_common.ssrf import (
    SSRFGuardTransport,
    UnsafeTarget,
    UnsafeURL,
    address_allowed,
    check_url,
)

PUBLIC = "93.184.215.14"
OTHER_PUBLIC = "8.8.8.8"
LIMITS = HttpLimits(connect_s=1, read_s=1, total_s=2, retries=0)


class FakeDNS:
    """What names resolve to, changeable mid-test; counts lookups."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.lookups = 0
        self.delay_s = 0.0

    async def getaddrinfo(self, host: str, port: int, **_: Any) -> list[Any]:
        self.lookups += 1
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if host not in self.answers:
            raise socket.gaierror("unknown name")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in self.answers[host]]


@pytest_asyncio.fixture(loop_scope="session")
async def dns(monkeypatch: pytest.MonkeyPatch) -> FakeDNS:
    """Name resolution is the edge the guard does not own: answered here, not by a resolver."""
    fake = FakeDNS({"node.example.org": [PUBLIC]})
    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", fake.getaddrinfo)
    return fake


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Downstream:
    """The far side: records what reached it."""

    def __init__(self, respond: Callable[[httpx.Request], httpx.Response] | None = None) -> None:
        self.seen: list[httpx.Request] = []
        self._respond = respond or (lambda r: httpx.Response(200, json={"ok": True}))

    def transport(self) -> httpx.MockTransport:
        def handle(request: httpx.Request) -> httpx.Response:
            self.seen.append(request)
            return self._respond(request)

        return httpx.MockTransport(handle)


def guarded(
    downstream: Downstream, *, allow_private: bool = False, **options: Any
) -> httpx.AsyncClient:
    guard = SSRFGuardTransport(allow_private=allow_private, inner=downstream.transport(), **options)
    return create_http_client(LIMITS, transport=guard)


class TestAddressAllowed:
    @pytest.mark.parametrize(
        ("address", "private_ok", "allowed"),
        [
            (PUBLIC, False, True),
            ("127.0.0.1", False, False),
            ("127.0.0.1", True, True),
            ("10.1.2.3", True, True),
            ("::1", True, True),
            ("::ffff:127.0.0.1", False, False),
            ("169.254.169.254", True, False),
            ("0.0.0.0", True, False),  # noqa: S104 (an address checked, not bound)
            ("224.0.0.1", True, False),
        ],
    )
    def test_address(self, address: str, private_ok: bool, allowed: bool) -> None:
        assert address_allowed(ipaddress.ip_address(address), allow_private=private_ok) is allowed


class TestEmbeddedIPv4:
    """IPv6 forms that lead to an IPv4 address are judged by that address (issue #10)."""

    @pytest.mark.parametrize(
        "address",
        [
            "64:ff9b::a9fe:a9fe",  # NAT64 well-known prefix -> 169.254.169.254
            "64:ff9b::7f00:1",  # NAT64 -> 127.0.0.1
            "64:ff9b::a00:1",  # NAT64 -> 10.0.0.1
            "::a9fe:a9fe",  # IPv4-compatible -> 169.254.169.254
            "::7f00:1",  # IPv4-compatible -> 127.0.0.1
            "::c0a8:101",  # IPv4-compatible -> 192.168.1.1
            "::ffff:169.254.169.254",  # IPv4-mapped
            "::ffff:10.0.0.1",
            "2002:7f00:1::",  # 6to4 -> 127.0.0.1
            "2002:a9fe:a9fe::1",  # 6to4 -> 169.254.169.254
            "64:ff9b:1::7f00:1",  # NAT64 local use, /96 form
            "64:ff9b:1:7f00:0:100::",  # NAT64 local use, /48 form -> 127.0.0.1
            "2001:0:5db8:d7e2:0:f227:80ff:fffe",  # Teredo, client 127.0.0.1, public server
        ],
    )
    def test_private_target_refused(self, address: str) -> None:
        assert address_allowed(ipaddress.ip_address(address), allow_private=False) is False

    @pytest.mark.parametrize(
        "address",
        [
            "64:ff9b::a9fe:a9fe",
            "::a9fe:a9fe",
            "::ffff:169.254.169.254",
            "2002:a9fe:a9fe::1",
            "64:ff9b:1::a9fe:a9fe",
            "64:ff9b::0:0",  # -> 0.0.0.0
            "64:ff9b::e000:1",  # -> 224.0.0.1
        ],
    )
    def test_metadata_and_unroutable_refused_even_when_private_allowed(self, address: str) -> None:
        assert address_allowed(ipaddress.ip_address(address), allow_private=True) is False

    @pytest.mark.parametrize(
        "address", ["64:ff9b::7f00:1", "::ffff:127.0.0.1", "2002:a00:1::1", "::c0a8:101"]
    )
    def test_private_target_allowed_when_the_deployment_says_so(self, address: str) -> None:
        assert address_allowed(ipaddress.ip_address(address), allow_private=True) is True

    @pytest.mark.parametrize(
        "address", ["64:ff9b::5db8:d70e", "2002:5db8:d70e::1", "::ffff:93.184.215.14"]
    )
    def test_public_target_allowed(self, address: str) -> None:
        assert address_allowed(ipaddress.ip_address(address), allow_private=False) is True

    @pytest.mark.parametrize(
        "url",
        [
            "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
            "http://[::a9fe:a9fe]/",
            "http://[64:ff9b::7f00:1]:8000/",
        ],
    )
    async def test_check_url_refuses(self, url: str) -> None:
        with pytest.raises(UnsafeURL, match="refused address"):
            await check_url(url, allow_private=False)

    async def test_transport_refuses_before_any_connection(self) -> None:
        downstream = Downstream()
        async with guarded(downstream) as client:
            with pytest.raises(UnsafeTarget):
                await client.get("http://[64:ff9b::7f00:1]:9/x")
        assert downstream.seen == []


class TestCheckUrl:
    @pytest.mark.parametrize(
        "url",
        [
            "ftp://node.example.org/",
            "http://user:pw@node.example.org/",
            "http://metadata.google.internal/",
            "http://127.0.0.1:8000/",
        ],
    )
    async def test_refused(self, url: str, dns: FakeDNS) -> None:
        with pytest.raises(UnsafeURL):
            await check_url(url, allow_private=False)

    async def test_name_resolving_to_private_refused(self, dns: FakeDNS) -> None:
        dns.answers["sneaky.example.org"] = [PUBLIC, "10.0.0.5"]
        with pytest.raises(UnsafeURL, match="refused address"):
            await check_url("https://sneaky.example.org/", allow_private=False)

    async def test_public_name_accepted(self, dns: FakeDNS) -> None:
        await check_url("https://node.example.org/", allow_private=False)


class TestGuardTransport:
    @pytest.mark.parametrize("dns_ttl_s", [0.0, 10.0])
    async def test_private_literal_refused_before_any_connection(self, dns_ttl_s: float) -> None:
        downstream = Downstream()
        async with guarded(downstream, dns_ttl_s=dns_ttl_s) as client:
            for _ in range(2):
                with pytest.raises(UnsafeTarget):
                    await client.get("http://127.0.0.1:9/x")
        assert downstream.seen == []

    async def test_private_allowed_when_the_deployment_says_so(self) -> None:
        downstream = Downstream()
        async with guarded(downstream, allow_private=True) as client:
            assert (await client.get("http://127.0.0.1:9/x")).status_code == 200
        assert len(downstream.seen) == 1

    async def test_connection_pinned_to_the_checked_address(self, dns: FakeDNS) -> None:
        downstream = Downstream()
        async with guarded(downstream) as client:
            await client.get("https://node.example.org/api")
        (request,) = downstream.seen
        assert request.url.host == PUBLIC
        assert request.headers["host"] == "node.example.org"
        assert request.extensions["sni_hostname"] == "node.example.org"

    async def test_redirect_is_not_followed(self, dns: FakeDNS) -> None:
        downstream = Downstream(
            lambda r: httpx.Response(302, headers={"location": "http://127.0.0.1:9/admin"})
        )
        async with guarded(downstream) as client:
            response = await fetch(client, "GET", "https://node.example.org/", limits=LIMITS)
        assert response.status_code == 302
        assert [r.url.host for r in downstream.seen] == [PUBLIC]

    async def test_redirect_to_private_refused_even_when_followed(self, dns: FakeDNS) -> None:
        downstream = Downstream(
            lambda r: httpx.Response(302, headers={"location": "http://127.0.0.1:9/admin"})
        )
        async with guarded(downstream) as client:
            with pytest.raises(UnsafeTarget):
                await client.get("https://node.example.org/", follow_redirects=True)
        assert [r.url.host for r in downstream.seen] == [PUBLIC]


class TestDnsRebinding:
    async def test_without_cache_every_call_is_checked_again(self, dns: FakeDNS) -> None:
        downstream = Downstream()
        async with guarded(downstream) as client:
            await client.get("http://node.example.org/")
            dns.answers["node.example.org"] = ["127.0.0.1"]
            with pytest.raises(UnsafeTarget):
                await client.get("http://node.example.org/")
        assert [r.url.host for r in downstream.seen] == [PUBLIC]
        assert dns.lookups == 2

    async def test_cached_name_connects_to_the_address_checked(self, dns: FakeDNS) -> None:
        clock = Clock()
        downstream = Downstream()
        async with guarded(downstream, dns_ttl_s=10, clock=clock) as client:
            await client.get("http://node.example.org/")
            # the name now points inside; within the TTL the checked address is still used
            dns.answers["node.example.org"] = ["127.0.0.1"]
            clock.now += 9
            await client.get("http://node.example.org/")
            assert dns.lookups == 1
            clock.now += 2
            with pytest.raises(UnsafeTarget):
                await client.get("http://node.example.org/")
        assert [r.url.host for r in downstream.seen] == [PUBLIC, PUBLIC]
        assert dns.lookups == 2

    async def test_cache_follows_a_public_move(self, dns: FakeDNS) -> None:
        clock = Clock()
        downstream = Downstream()
        async with guarded(downstream, dns_ttl_s=10, clock=clock) as client:
            await client.get("http://node.example.org/")
            dns.answers["node.example.org"] = [OTHER_PUBLIC]
            clock.now += 11
            await client.get("http://node.example.org/")
        assert [r.url.host for r in downstream.seen] == [PUBLIC, OTHER_PUBLIC]

    async def test_refusals_are_not_cached(self, dns: FakeDNS) -> None:
        dns.answers["node.example.org"] = ["10.0.0.7"]
        downstream = Downstream()
        async with guarded(downstream, dns_ttl_s=10, clock=Clock()) as client:
            with pytest.raises(UnsafeTarget):
                await client.get("http://node.example.org/")
            dns.answers["node.example.org"] = [PUBLIC]
            await client.get("http://node.example.org/")
        assert dns.lookups == 2
        assert [r.url.host for r in downstream.seen] == [PUBLIC]

    async def test_concurrent_calls_share_one_lookup(self, dns: FakeDNS) -> None:
        dns.delay_s = 0.05
        downstream = Downstream()
        async with guarded(downstream, dns_ttl_s=10) as client:
            responses = await asyncio.gather(
                *(client.get("http://node.example.org/") for _ in range(5))
            )
        assert [r.status_code for r in responses] == [200] * 5
        assert dns.lookups == 1

    async def test_one_caller_giving_up_does_not_fail_the_others(self, dns: FakeDNS) -> None:
        dns.delay_s = 0.1
        downstream = Downstream()
        async with guarded(downstream, dns_ttl_s=10) as client:
            impatient = asyncio.create_task(client.get("http://node.example.org/"))
            patient = asyncio.create_task(client.get("http://node.example.org/"))
            await asyncio.sleep(0.02)
            impatient.cancel()
            assert (await patient).status_code == 200
            with pytest.raises(asyncio.CancelledError):
                await impatient
        assert dns.lookups == 1

    async def test_names_kept_are_bounded(self, dns: FakeDNS) -> None:
        for i in range(3):
            dns.answers[f"n{i}.example.org"] = [PUBLIC]
        guard = SSRFGuardTransport(
            allow_private=False, inner=Downstream().transport(), dns_ttl_s=10, max_names=2
        )
        async with create_http_client(LIMITS, transport=guard) as client:
            for i in (0, 1, 2, 0):
                await client.get(f"http://n{i}.example.org/")
        # n0 was dropped to make room for n2, so it was looked up again
        assert dns.lookups == 4

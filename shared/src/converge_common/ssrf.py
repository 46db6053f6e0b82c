"""Guard against server-side request forgery when calling URLs that others registered.

Two checks, because a name that resolved to a public address yesterday may resolve to
``127.0.0.1`` today (DNS rebinding):

* :func:`check_url` at registration: scheme allow-list, a host, no credentials, and an
  address literal (or a resolved name) that is allowed;
* :class:`SSRFGuardTransport` at call time: resolves the host, refuses the call when any
  address is not allowed, and connects to the checked address (the ``Host`` header and TLS
  server name keep the original name), so the check and the connection see the same address.
  It may keep a name's checked addresses for a few seconds (``dns_ttl_s``): calls within that
  time connect to those same checked addresses, so the guarantee holds; a name that moves to a
  refused address is refused once its entry expires.

Private, loopback and link-local targets are refused unless the deployment allows them (the
demo federation on one machine does). Cloud metadata endpoints are refused always.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

import httpx

from converge_common.http import HttpLimits, create_http_client

__all__ = [
    "ALLOWED_SCHEMES",
    "ALWAYS_BLOCKED_ADDRESSES",
    "ALWAYS_BLOCKED_HOSTNAMES",
    "SSRFGuardTransport",
    "UnsafeTarget",
    "UnsafeURL",
    "address_allowed",
    "check_url",
    "guarded_http_client",
    "resolve_allowed",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOWED_SCHEMES = frozenset({"http", "https"})
# Instance metadata services (AWS, GCP, Azure, OpenStack, AWS ECS, AWS IPv6, Alibaba).
ALWAYS_BLOCKED_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")
)
ALWAYS_BLOCKED_HOSTNAMES = frozenset(
    {"metadata.google.internal", "metadata.goog", "metadata", "instance-data"}
)


class UnsafeURL(ValueError):
    """A URL that must not be registered or called; the message says why."""


class UnsafeTarget(httpx.HTTPError):
    """Raised by the transport when a call would reach a refused address."""


_NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL_USE = ipaddress.ip_network("64:ff9b:1::/48")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address leads to (each one is where the packets go).

    IPv4-mapped (::ffff:0:0/96), IPv4-compatible (::/96), NAT64 (64:ff9b::/96 and the
    local-use 64:ff9b:1::/48, RFC 6052/8215), 6to4 (2002::/16) and Teredo (2001::/32: its
    server and its client) addresses all embed one.
    """
    value = int(address)
    found: list[ipaddress.IPv4Address] = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address in _IPV4_COMPATIBLE and value > 1:  # :: and ::1 are IPv6's own
        found.append(ipaddress.IPv4Address(value & 0xFFFFFFFF))
    if address in _NAT64_WELL_KNOWN or address in _NAT64_LOCAL_USE:
        found.append(ipaddress.IPv4Address(value & 0xFFFFFFFF))
    if address in _NAT64_LOCAL_USE:
        # a /48 translator prefix puts the IPv4 address in bits 48-63 and 72-87 (RFC 6052)
        high = (value >> 64) & 0xFFFF
        low = (value >> 40) & 0xFFFF
        found.append(ipaddress.IPv4Address((high << 16) | low))
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)
    return found


def address_allowed(address: IPAddress, *, allow_private: bool) -> bool:
    """Whether a call may connect to ``address``.

    Public (globally routable) unicast addresses are allowed. With ``allow_private``, so are
    private, loopback, link-local and shared (CGNAT) ones, except the metadata endpoints.
    Unspecified, multicast and reserved addresses never are. An IPv6 address that embeds an
    IPv4 address (translation and tunnelling forms) is allowed only when every IPv4 address
    it embeds is.
    """
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded:
            if address in ALWAYS_BLOCKED_ADDRESSES:
                return False
            if not all(_plain_allowed(v4, allow_private=allow_private) for v4 in embedded):
                return False
            # the local-use NAT64 prefix and Teredo are not globally reachable themselves
            tunnelled = address in _NAT64_LOCAL_USE or address.teredo is not None
            return allow_private or not tunnelled
    return _plain_allowed(address, allow_private=allow_private)


def _plain_allowed(address: IPAddress, *, allow_private: bool) -> bool:
    if address in ALWAYS_BLOCKED_ADDRESSES or address.is_unspecified or address.is_multicast:
        return False
    if address.is_global:
        return True
    local = address.is_loopback or address.is_private or address.is_link_local
    if address in _SHARED_SPACE:
        local = True
    # ::1 counts as reserved in ipaddress; loopback is what the demo needs
    return allow_private and (address.is_loopback or (local and not address.is_reserved))


_SHARED_SPACE = ipaddress.ip_network("100.64.0.0/10")


def _host_of(url: str) -> tuple[str, str, int]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURL(f"not a valid URL: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise UnsafeURL(f"scheme {scheme or '(none)'!r} is not allowed; use http or https")
    if parts.username is not None or parts.password is not None:
        raise UnsafeURL("credentials in the URL are not allowed")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise UnsafeURL("the URL has no host")
    return scheme, host, port or (443 if scheme == "https" else 80)


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _check_name(host: str) -> None:
    if host in ALWAYS_BLOCKED_HOSTNAMES:
        raise UnsafeURL(f"host {host!r} is a cloud metadata endpoint")


def _refuse(addresses: Iterable[IPAddress], host: str, *, allow_private: bool) -> None:
    for address in addresses:
        if not address_allowed(address, allow_private=allow_private):
            raise UnsafeURL(f"host {host!r} resolves to a refused address ({address})")


async def resolve_allowed(url: str, *, allow_private: bool) -> list[IPAddress]:
    """Every address ``url``'s host resolves to now, refusing the URL if any is not allowed."""
    _scheme, host, port = _host_of(url)
    _check_name(host)
    literal = _literal(host)
    if literal is not None:
        _refuse([literal], host, allow_private=allow_private)
        return [literal]
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise UnsafeURL(f"host {host!r} does not resolve") from exc
    addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
    if not addresses:
        raise UnsafeURL(f"host {host!r} does not resolve")
    _refuse(addresses, host, allow_private=allow_private)
    return addresses


async def check_url(url: str, *, allow_private: bool, resolve: bool = True) -> None:
    """Refuse (``UnsafeURL``) a URL that may not be registered.

    A name that does not resolve yet is accepted (the call-time check runs again); a name
    that resolves to a refused address is not.
    """
    _scheme, host, _port = _host_of(url)
    _check_name(host)
    literal = _literal(host)
    if literal is not None:
        _refuse([literal], host, allow_private=allow_private)
        return
    if resolve:
        try:
            await resolve_allowed(url, allow_private=allow_private)
        except UnsafeURL as exc:
            if "does not resolve" not in str(exc):
                raise


class SSRFGuardTransport(httpx.AsyncBaseTransport):
    """Checks every request's target at call time and pins the connection to it.

    With ``dns_ttl_s`` > 0 a name's allowed addresses are kept that long (at most
    ``max_names`` names), and concurrent calls to a name not yet known share one lookup.
    Refusals are not kept: a refused name is resolved again on its next call.
    """

    def __init__(
        self,
        *,
        allow_private: bool,
        inner: httpx.AsyncBaseTransport | None = None,
        dns_ttl_s: float = 0.0,
        max_names: int = 4096,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.allow_private = allow_private
        self._inner = inner or httpx.AsyncHTTPTransport()
        self._ttl_s = dns_ttl_s
        self._max_names = max_names
        self._clock = clock
        self._resolved: dict[tuple[str, int], tuple[float, list[IPAddress]]] = {}
        self._lookups: dict[tuple[str, int], asyncio.Task[list[IPAddress]]] = {}

    async def _addresses(self, url: str) -> list[IPAddress]:
        _scheme, host, port = _host_of(url)
        if self._ttl_s <= 0:
            return await resolve_allowed(url, allow_private=self.allow_private)
        # address literals too: checking one needs no lookup, but is not free on every call
        key = (host, port)
        entry = self._resolved.get(key)
        if entry is not None and self._clock() < entry[0]:
            return entry[1]
        lookup = self._lookups.get(key)
        if lookup is None:
            lookup = asyncio.create_task(resolve_allowed(url, allow_private=self.allow_private))
            self._lookups[key] = lookup
            lookup.add_done_callback(lambda task: self._remember(key, task))
        # shielded: one caller giving up (its deadline) must not cancel the others' lookup
        return await asyncio.shield(lookup)

    def _remember(self, key: tuple[str, int], task: asyncio.Task[list[IPAddress]]) -> None:
        self._lookups.pop(key, None)
        if task.cancelled() or task.exception() is not None:
            return
        self._resolved.pop(key, None)
        while self._resolved and len(self._resolved) >= self._max_names:
            self._resolved.pop(next(iter(self._resolved)))
        self._resolved[key] = (self._clock() + self._ttl_s, task.result())

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            addresses = await self._addresses(str(request.url))
        except UnsafeURL as exc:
            raise UnsafeTarget(str(exc)) from exc
        host = request.url.host
        address = addresses[0]
        if _literal(host) is None:
            pinned = f"[{address}]" if address.version == 6 else str(address)
            request.url = request.url.copy_with(host=pinned)
            if request.url.scheme == "https":
                request.extensions = {**request.extensions, "sni_hostname": host}
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        for lookup in self._lookups.values():
            lookup.cancel()
        await self._inner.aclose()


def guarded_http_client(
    limits: HttpLimits, *, allow_private: bool, max_connections: int = 100
) -> httpx.AsyncClient:
    """``create_http_client`` whose every call passes the SSRF check."""
    # a client given a transport ignores its own pool limits: the inner transport carries them
    inner = httpx.AsyncHTTPTransport(
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=20)
    )
    return create_http_client(
        limits, transport=SSRFGuardTransport(allow_private=allow_private, inner=inner)
    )

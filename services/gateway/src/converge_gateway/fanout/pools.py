"""The gateway's connection pools for fan-out: one pool per Node origin, each with a linear
assignment pass over httpcore's pool (ADR 0004).

Only the gateway opens connections to many origins at once, so only the gateway depends on
httpcore's internals: ``_LinearPool`` overrides a private method of httpcore 1.0's pool,
which is why ``converge-gateway`` pins ``httpcore>=1.0.9,<1.1``; the tests in
``tests/gateway/test_fanout_pools.py`` cover the pool's bookkeeping should the pin move.
"""

from __future__ import annotations

import ssl
import time

import httpcore
import httpx
from converge_common.http import tls_context

__all__ = ["PoolPerOrigin"]


class _LinearPool(httpcore.AsyncConnectionPool):
    """httpcore's HTTP/1.1 pool with a linear assignment pass that hands a connection out once.

    httpcore 1.0's pass (run on every request start and end) walks all connections once per
    idle connection, polls every idle socket to see whether it expired, and hands the same idle
    connection to every request queued in the same pass: all but one then fail with
    ``ConnectionNotAvailable`` and run the pass again. Under concurrent fan-out this
    bookkeeping was ~45% of the gateway's CPU per Node call. This pass walks the connections
    once; never hands out a connection already promised to a request that has not started on
    it (so it is neither given twice nor closed as surplus idle); keeps at most
    ``max_keepalive_connections`` idle ones; and checks a connection for expiry (keep-alive
    timeout, or closed by the server) when it is about to be handed out, and all of them at
    most every ``SWEEP_S``. HTTP/1.1 only (``http2=False``): a connection serves one request
    at a time.
    """

    SWEEP_S = 1.0
    _swept_at = float("-inf")

    def _assign_requests_to_connections(self) -> list[httpcore.AsyncConnectionInterface]:
        closing: list[httpcore.AsyncConnectionInterface] = []
        promised = {id(r.connection) for r in self._requests if r.connection is not None}
        now = time.monotonic()
        sweep = now - self._swept_at >= self.SWEEP_S
        if sweep:
            self._swept_at = now
        kept: list[httpcore.AsyncConnectionInterface] = []
        for connection in self._connections:
            if connection.is_closed():
                continue
            if sweep and connection.has_expired():
                closing.append(connection)
            else:
                kept.append(connection)
        idle = [c for c in kept if c.is_idle() and id(c) not in promised]
        surplus = len(idle) - self._max_keepalive_connections
        if surplus > 0:
            # the oldest first, as httpcore does
            closing += idle[:surplus]
            kept = [c for c in kept if c not in idle[:surplus]]
            idle = idle[surplus:]
        self._connections = kept
        for request in [r for r in self._requests if r.is_queued()]:
            origin = request.request.url.origin
            found = self._take_idle(idle, origin, closing)
            if found is None and len(self._connections) < self._max_connections:
                found = self.create_connection(origin)
                self._connections.append(found)
            elif found is None and idle:
                # full: make room by closing an idle connection to another origin
                spare = idle.pop(0)
                self._connections.remove(spare)
                closing.append(spare)
                found = self.create_connection(origin)
                self._connections.append(found)
            elif found is None:
                break  # every connection is busy: the rest wait for the next pass
            request.assign_to_connection(found)
        return closing

    def _take_idle(
        self,
        idle: list[httpcore.AsyncConnectionInterface],
        origin: httpcore.Origin,
        closing: list[httpcore.AsyncConnectionInterface],
    ) -> httpcore.AsyncConnectionInterface | None:
        """An idle connection to ``origin`` still fit to use; expired ones met are closed."""
        for connection in [c for c in idle if c.can_handle_request(origin) and c.is_available()]:
            idle.remove(connection)
            if not connection.has_expired():
                return connection
            self._connections.remove(connection)
            closing.append(connection)
        return None


class _Http1Transport(httpx.AsyncHTTPTransport):
    """httpx's transport (request and error mapping) over :class:`_LinearPool`."""

    def __init__(self, *, ssl_context: ssl.SSLContext, limits: httpx.Limits) -> None:
        super().__init__(verify=ssl_context, limits=limits)
        self._pool = _LinearPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
        )


PoolKey = tuple[str, str, int | None, object]


class PoolPerOrigin(httpx.AsyncBaseTransport):
    """A connection pool per origin, each with ``limits``, instead of one pool for all.

    httpcore's pool walks every connection it holds, more than once for each idle one, on
    every request it starts or ends, so one pool shared by many busy origins costs CPU that
    grows with the square of its connections (at 10 Nodes and 16 concurrent searches, ~160
    connections, the gateway spent most of its time there). A pool per origin keeps each walk
    to that origin's connections, and each pool's pass is linear (:class:`_LinearPool`). The
    key includes the TLS server name, so a connection opened for one name is never reused for
    another name at the same address. HTTP/1.1 only.

    At most ``max_origins`` pools are kept; requests to further origins share one more pool.
    """

    def __init__(self, *, limits: httpx.Limits, max_origins: int = 1000) -> None:
        self._limits = limits
        self._max_origins = max_origins
        self._pools: dict[PoolKey, httpx.AsyncHTTPTransport] = {}
        self._overflow: httpx.AsyncHTTPTransport | None = None

    def _new_pool(self) -> httpx.AsyncHTTPTransport:
        # building a context loads the CA bundle: once per process, not per origin
        return _Http1Transport(ssl_context=tls_context(), limits=self._limits)

    def _pool_for(self, request: httpx.Request) -> httpx.AsyncHTTPTransport:
        url = request.url
        key = (url.scheme, url.host, url.port, request.extensions.get("sni_hostname"))
        pool = self._pools.get(key)
        if pool is None:
            if len(self._pools) >= self._max_origins:
                if self._overflow is None:
                    self._overflow = self._new_pool()
                return self._overflow
            pool = self._pools[key] = self._new_pool()
        return pool

    @property
    def origins(self) -> int:
        """How many origins have a pool of their own."""
        return len(self._pools)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._pool_for(request).handle_async_request(request)

    async def aclose(self) -> None:
        pools = [*self._pools.values(), *([self._overflow] if self._overflow else [])]
        self._pools, self._overflow = {}, None
        for pool in pools:
            await pool.aclose()

"""Ask many Nodes at once and answer by a deadline, whatever any one of them does.

Every Node gets its own task under a per-Node timeout; the whole fan-out waits at most until
the overall deadline, then cancels what is still running. Each Node ends in exactly one
outcome: ``ok``, ``timeout``, ``error`` (with a short reason) or ``skipped`` (circuit open,
or the Node is not active).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

import httpx
from converge_common.http import ResponseTooLarge
from converge_common.ssrf import UnsafeTarget

from converge_gateway.directory.schemas import NodeEntry, ServiceKind
from converge_gateway.fanout.breaker import Breakers
from converge_gateway.fanout.metrics import NodeMetrics

__all__ = ["FanOut", "NodeAnswerInvalid", "NodeOutcome", "NodeRejected", "NodeResult"]

logger = logging.getLogger("converge.gateway.fanout")

T = TypeVar("T")
NodeOutcome = Literal["ok", "timeout", "error", "skipped"]


class NodeAnswerInvalid(Exception):
    """The Node answered, but not with something the gateway accepts (shape, type, size)."""


# a Node's 4xx that says nothing of the caller's request: it refuses the gateway itself
# (401, 403, 407) or is overloaded (408, 429)
_NODE_FAULT_4XX = frozenset({401, 403, 407, 408, 429})


class NodeRejected(Exception):
    """The Node refused the request (a 4xx); the caller may have asked something invalid."""

    def __init__(self, status: int, detail: str, errors: Sequence[dict[str, str]] = ()) -> None:
        super().__init__(f"HTTP {status}: {detail}")
        self.status = status
        self.detail = detail
        # the fields the Node's problem named (pointer, rule, detail), checked
        self.errors = tuple(errors)

    @property
    def callers_fault(self) -> bool:
        """Whether the refusal is about the caller's request rather than the Node's state."""
        return 400 <= self.status < 500 and self.status not in _NODE_FAULT_4XX


@dataclass
class NodeResult(Generic[T]):
    node: str
    status: NodeOutcome
    ms: float | None = None
    value: T | None = None
    reason: str | None = None
    http_status: int | None = None
    # the Node refused the caller's own request: no verdict on the Node's health
    callers_fault: bool = False
    # the fields the Node's refusal named
    errors: tuple[dict[str, str], ...] = ()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, NodeRejected | NodeAnswerInvalid):
        return str(exc)[:200]
    if isinstance(exc, ResponseTooLarge):
        return "answer too large"
    if isinstance(exc, UnsafeTarget):
        return "refused target (SSRF guard)"
    if isinstance(exc, httpx.ConnectError):
        return "connection refused or unreachable"
    if isinstance(exc, httpx.HTTPError):
        return f"transport error ({type(exc).__name__})"
    return f"{type(exc).__name__}"


class FanOut:
    """The engine; ``call`` does one Node's work and raises on any failure."""

    def __init__(
        self,
        *,
        breakers: Breakers,
        metrics: NodeMetrics,
        callable_states: Sequence[str],
        deadline_s: float,
        node_timeout_s: float,
    ) -> None:
        self.breakers = breakers
        self.metrics = metrics
        self.callable_states = tuple(callable_states)
        self.deadline_s = deadline_s
        self.node_timeout_s = node_timeout_s
        # calls given up on, held until their cancellation has run (the loop keeps only weak
        # references to tasks, and the cancellation closes the call's connection)
        self._cancelling: set[asyncio.Task[NodeResult[Any]]] = set()

    def _skip(self, node: NodeEntry, operation: str, service: ServiceKind) -> NodeResult[T] | None:
        if not node.callable(self.callable_states, service):
            reason = node.inactive_reason(self.callable_states, service)
        elif not self.breakers.get(node.id, service).allow():
            reason = "circuit open"
        else:
            return None
        self.metrics.outcomes.labels(node.id, operation, "skipped").inc()
        return NodeResult(node=node.id, status="skipped", reason=reason)

    async def _one(
        self,
        node: NodeEntry,
        operation: str,
        call: Callable[[NodeEntry], Awaitable[T]],
        abandoned: set[str],
        service: ServiceKind,
    ) -> NodeResult[T]:
        start = time.perf_counter()
        result: NodeResult[T]
        try:
            async with asyncio.timeout(self.node_timeout_s):
                value = await call(node)
            result = NodeResult(node=node.id, status="ok", value=value)
        except (TimeoutError, httpx.TimeoutException):
            result = NodeResult(node=node.id, status="timeout")
        except Exception as exc:
            rejected = exc if isinstance(exc, NodeRejected) else None
            result = NodeResult(
                node=node.id,
                status="error",
                reason=_reason(exc),
                http_status=rejected.status if rejected else None,
                callers_fault=rejected.callers_fault if rejected else False,
                errors=rejected.errors if rejected else (),
            )
            if not isinstance(exc, NodeRejected | NodeAnswerInvalid | httpx.HTTPError):
                logger.exception("unexpected failure calling node %s", node.id)
        if node.id not in abandoned:  # else the deadline passed and run() recorded a timeout
            self._finish(node, operation, service, result, start)
        return result

    def _finish(
        self,
        node: NodeEntry,
        operation: str,
        service: ServiceKind,
        result: NodeResult[T],
        start: float,
    ) -> None:
        elapsed = time.perf_counter() - start
        result.ms = round(elapsed * 1000, 1)
        breaker = self.breakers.get(node.id, service)
        if result.callers_fault:
            # the Node refused the caller's own bad input: that says nothing of the Node,
            # so it neither counts as a failure nor clears the failures counted so far
            breaker.release()
        elif result.status == "ok":
            breaker.record_success()
        else:
            breaker.record_failure()
        self.metrics.breaker_open.labels(node.id, service).set(
            0 if breaker.state == "closed" else 1
        )
        self.metrics.latency.labels(node.id, operation).observe(elapsed)
        self.metrics.outcomes.labels(node.id, operation, result.status).inc()
        if result.status != "ok":
            logger.info(
                "node %s %s: %s %s",
                node.id,
                operation,
                result.status,
                result.reason or "",
                extra={"node": node.id, "event": f"node_{result.status}"},
            )

    async def run(
        self,
        nodes: Sequence[NodeEntry],
        call: Callable[[NodeEntry], Awaitable[T]],
        *,
        operation: str,
        deadline_s: float | None = None,
        service: ServiceKind = "metadata",
    ) -> dict[str, NodeResult[T]]:
        """Every Node's result, in the order of ``nodes``, by the deadline at the latest.

        ``service`` is the Node service called: its state decides whether the Node is called,
        and it has its own breaker.
        """
        results: dict[str, NodeResult[T]] = {}
        tasks: dict[str, asyncio.Task[NodeResult[T]]] = {}
        abandoned: set[str] = set()
        for node in nodes:
            skipped: NodeResult[T] | None = self._skip(node, operation, service)
            if skipped is not None:
                results[node.id] = skipped
            else:
                tasks[node.id] = asyncio.create_task(
                    self._one(node, operation, call, abandoned, service)
                )
        start = time.perf_counter()
        if tasks:
            _done, pending = await asyncio.wait(
                tasks.values(), timeout=self.deadline_s if deadline_s is None else deadline_s
            )
            # Give up on the late ones now and record their timeouts here: waiting for their
            # cancellation to run would stretch the deadline by however busy the loop is.
            abandoned.update(node_id for node_id, task in tasks.items() if task in pending)
            for task in pending:
                task.cancel()
                self._cancelling.add(task)
                task.add_done_callback(self._cancelling.discard)
        waited = round((time.perf_counter() - start) * 1000, 1)
        for node in nodes:
            if node.id not in tasks:
                continue
            task = tasks[node.id]
            if node.id in abandoned:
                results[node.id] = NodeResult(node=node.id, status="timeout")
                self._finish(node, operation, service, results[node.id], start)
            elif task.cancelled() or task.exception() is not None:
                results[node.id] = NodeResult(node=node.id, status="timeout", ms=waited)
            else:
                results[node.id] = task.result()
        return {n.id: results[n.id] for n in nodes}

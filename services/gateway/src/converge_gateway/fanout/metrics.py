"""Per-Node metrics on the app's registry: latency histogram and outcome counts."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = ["NodeMetrics"]


class NodeMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.latency = Histogram(
            "gateway_node_request_duration_seconds",
            "Time a Node took to answer the gateway (answers and failures alike)",
            ["node", "operation"],
            registry=registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5),
        )
        self.outcomes = Counter(
            "gateway_node_requests_total",
            "Calls to Nodes by outcome (ok, timeout, error, skipped)",
            ["node", "operation", "outcome"],
            registry=registry,
        )
        self.breaker_open = Gauge(
            "gateway_node_circuit_open",
            "1 while the circuit breaker of the Node's service is open or half-open",
            ["node", "service"],
            registry=registry,
        )
        self.cache = Counter(
            "gateway_search_cache_total", "Search cache lookups", ["result"], registry=registry
        )
        self.impact_cache = Counter(
            "gateway_impact_cache_total",
            "Federated impact cache lookups",
            ["result"],
            registry=registry,
        )

"""Per-worker search state: the facet index holder and the cache of anonymous answers.

Both are keyed by the catalogue generation (``CatalogueState``), read once per request: an
answer cached at one generation is served only while the database is still at it, so a write
committed by any worker or by the command-line importer is visible to the next search.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from converge_common.cache import LRUCache
from converge_common.db import Database
from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter

from converge_metadata.search.facet_index import FacetIndexHolder
from converge_metadata.settings import MetadataSettings

__all__ = ["AnswerCache", "SearchRuntime", "search_lifespan"]


class AnswerCache:
    """Least-recently-used answers (serialised JSON) of one catalogue generation: a write
    to the catalogue moves the generation on and so empties the cache."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.generation: int | None = None
        self._entries: LRUCache[bytes, bytes] = LRUCache(max_entries=size)

    def __len__(self) -> int:
        return len(self._entries)

    def _at(self, generation: int) -> None:
        if generation != self.generation:
            self._entries.clear()
            self.generation = generation

    def get(self, generation: int, key: bytes) -> bytes | None:
        if generation != self.generation:
            self._at(generation)
        return self._entries.get(key)

    def put(self, generation: int, key: bytes, body: bytes) -> None:
        if generation != self.generation:
            self._at(generation)
        self._entries.put(key, body)


@dataclass
class SearchRuntime:
    facet_index: FacetIndexHolder | None
    cache: AnswerCache
    facet_source: Counter
    cache_lookups: Counter


def _counters(app: FastAPI) -> tuple[Counter, Counter]:
    # once per application and registry, however often its lifespan runs
    counters: tuple[Counter, Counter] | None = getattr(app.state, "search_counters", None)
    if counters is None:
        registry: CollectorRegistry = app.state.metrics_registry
        counters = (
            Counter(
                "converge_metadata_search_facets",
                "Searches by where their facets were counted: the in-process index or SQL "
                "(while the index is being rebuilt after a write, or when it is off)",
                ["source"],
                registry=registry,
            ),
            Counter(
                "converge_metadata_search_cache_lookups",
                "Anonymous searches answered from the per-worker cache (hit) or not (miss)",
                ["result"],
                registry=registry,
            ),
        )
        app.state.search_counters = counters
    return counters


@asynccontextmanager
async def search_lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: MetadataSettings = app.state.settings
    db: Database = app.state.db
    holder = FacetIndexHolder(db.engine) if settings.search_facet_index else None
    facet_source, cache_lookups = _counters(app)
    app.state.search = SearchRuntime(
        facet_index=holder,
        cache=AnswerCache(settings.search_cache_size),
        facet_source=facet_source,
        cache_lookups=cache_lookups,
    )
    if holder is not None:
        holder.refresh()  # the first build runs while the service starts answering
    try:
        yield
    finally:
        if holder is not None:
            await holder.close()

"""An in-process, read-only copy of the facet table for counting facets and applying filters.

Counting facets in SQL means grouping every facet row of every matching record: a one-word
query that matches 30% of 100k records groups about 340k rows, and SQLite sorts them to do so.
Search engines keep this data uninverted in memory instead (Lucene's doc values, Solr's
UnInvertedField); this module does the same with numpy arrays:

- the live records' positions, ordered by pk, with what visibility needs (published, stored
  access level, embargo date);
- every distinct facet value, ordered by (dimension, value), and its postings: the positions
  of the records that carry it, stored back to back (``owners``) with offsets (``starts``).

A query becomes a boolean mask over record positions (visibility, filters, and the full-text
match set fetched from the database as one string of ids); facet counts are the number of set
mask bits in each value's postings, a gather and a segmented sum over arrays of about
eleven entries per record.

An index is built at one catalogue generation and answers only while the database is at that
generation (``CatalogueState``); otherwise search counts in SQL and the holder rebuilds in the
background, never more than a bounded share of the time.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from converge_metadata import access
from converge_metadata.models import FACET_DIMENSIONS
from converge_metadata.search.repository import facet_index_source, parse_ids
from converge_metadata.search.schemas import SearchFilters

__all__ = ["FacetIndex", "FacetIndexHolder", "build_facet_index", "micros"]

logger = logging.getLogger(__name__)

Mask = npt.NDArray[np.bool_]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(moment: datetime) -> int:
    """Microseconds since the epoch of an aware datetime, exactly (no float rounding)."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


@dataclass(frozen=True, eq=False)
class FacetIndex:
    """Facet postings and visibility columns of the live records at one generation."""

    generation: int
    pks: npt.NDArray[np.int64]
    published: Mask
    access: npt.NDArray[np.int8]
    embargo: npt.NDArray[np.int32]
    modified: npt.NDArray[np.int64]  # microseconds since the epoch, UTC
    values: list[tuple[str, str]]
    value_ids: dict[tuple[str, str], int]
    dimension_ranges: dict[str, tuple[int, int]]
    starts: npt.NDArray[np.int64]
    owners: npt.NDArray[np.int32]
    # the same pairs by record: the value ids of record i are values_of[offsets[i]:offsets[i+1]]
    offsets: npt.NDArray[np.int64]
    values_of: npt.NDArray[np.int32]

    @property
    def size(self) -> int:
        return len(self.pks)

    @property
    def nbytes(self) -> int:
        arrays: list[npt.NDArray[Any]] = [self.pks, self.published, self.access, self.embargo]
        arrays += [self.modified, self.starts, self.owners, self.offsets, self.values_of]
        return sum(a.nbytes for a in arrays)

    # -- masks ------------------------------------------------------------------------------

    def _lapsed(self, today: date) -> Mask:
        return access.lapsed_mask(access=self.access, embargo=self.embargo, today=today)

    def visible(self, *, steward: bool, today: date) -> Mask:
        if steward:
            return np.ones(self.size, dtype=np.bool_)
        return access.public_mask(
            published=self.published, access=self.access, embargo=self.embargo, today=today
        )

    def with_any(self, dimension: str, values: list[str]) -> Mask:
        """Records carrying at least one of ``values`` in ``dimension``."""
        mask = np.zeros(self.size, dtype=np.bool_)
        for value in values:
            vid = self.value_ids.get((dimension, value))
            if vid is not None:
                mask[self.owners[self.starts[vid] : self.starts[vid + 1]]] = True
        return mask

    def in_years(self, year_from: int | None, year_to: int | None) -> Mask:
        low, high = self.dimension_ranges.get("year", (0, 0))
        years = [
            value
            for _, value in self.values[low:high]
            if value.isdigit()
            and (year_from is None or int(value) >= year_from)
            and (year_to is None or int(value) <= year_to)
        ]
        return self.with_any("year", years)

    def positions(self, pks: npt.NDArray[np.int64]) -> Mask:
        """The mask of the given record pks (pks the index does not hold are ignored)."""
        mask = np.zeros(self.size, dtype=np.bool_)
        if len(pks) and self.size:
            at = np.searchsorted(self.pks, pks)
            inside = at < self.size
            at = at[inside]
            mask[at[self.pks[at] == pks[inside]]] = True
        return mask

    def match(self, filters: SearchFilters, *, steward: bool, today: date) -> Mask:
        """The records the filters (not the free text) and the caller's visibility admit; the
        same conditions as ``SearchSql.match``."""
        mask = self.visible(steward=steward, today=today)
        if filters.type:
            mask &= self.with_any("type", list(filters.type))
        if filters.license:
            mask &= self.with_any("license", filters.license)
        if filters.access:
            effective = access.effective_codes(
                access=self.access, embargo=self.embargo, today=today
            )
            mask &= np.isin(effective, access.access_codes(list(filters.access)))
        if filters.year_from is not None or filters.year_to is not None:
            mask &= self.in_years(filters.year_from, filters.year_to)
        for dimension in ("topic", "organism", "keyword", "language"):
            values: list[str] = getattr(filters, dimension)
            if values:
                mask &= self.with_any(dimension, values)
        return mask

    # -- pages ------------------------------------------------------------------------------

    def newest(self, mask: Mask, *, after: tuple[datetime, int] | None, limit: int) -> list[int]:
        """The pks of the first ``limit`` masked records by modification time, newest first,
        then pk; after the cursor position ``(modified_at, pk)`` when given (as SQL pages)."""
        chosen = np.flatnonzero(mask)
        if after is not None:
            seen, key = micros(after[0]), after[1]
            modified, pks = self.modified[chosen], self.pks[chosen]
            chosen = chosen[(modified < seen) | ((modified == seen) & (pks > key))]
        if len(chosen) > limit:
            modified = self.modified[chosen]
            kth = len(modified) - limit
            chosen = chosen[modified >= np.partition(modified, kth)[kth]]
        order = np.lexsort((self.pks[chosen], -self.modified[chosen]))[:limit]
        return [int(pk) for pk in self.pks[chosen[order]]]

    # -- counts -----------------------------------------------------------------------------

    def _per_value(self, mask: Mask) -> npt.NDArray[np.int64]:
        chosen = np.flatnonzero(mask)
        if 4 * len(chosen) >= self.size:
            # a broad match: one pass over all postings, counting the masked entries
            return np.add.reduceat(mask[self.owners], self.starts[:-1], dtype=np.int64)
        # a narrow one: gather only the chosen records' own values and count them
        firsts = self.offsets[chosen]
        lengths = self.offsets[chosen + 1] - firsts
        ends = np.cumsum(lengths)
        entries = np.repeat(firsts - ends + lengths, lengths) + np.arange(
            ends[-1] if len(ends) else 0
        )
        return np.bincount(self.values_of[entries], minlength=len(self.values)).astype(np.int64)

    def counts(self, mask: Mask, *, limit: int, today: date) -> list[tuple[str, str, int]]:
        """The top ``limit`` values per dimension among the masked records (every value of
        ``type`` and ``access``), ties by value; a lapsed embargo counts as public."""
        if not self.values:
            return []
        per_value = self._per_value(mask)
        out: list[tuple[str, str, int]] = []
        for dimension, (low, high) in self.dimension_ranges.items():
            segment = per_value[low:high]
            present = np.flatnonzero(segment)
            if dimension not in ("type", "access") and len(present) > limit:
                # value ids ascend with the value, so the id breaks ties as the value would
                order = np.lexsort((present, -segment[present]))[:limit]
                present = present[order]
            counts = dict((self.values[low + int(i)][1], int(segment[i])) for i in present)
            if dimension == "access":
                lapsed = int(np.count_nonzero(mask & self._lapsed(today)))
                access.count_lapsed_as_effective(counts, lapsed)
            out += [(dimension, value, n) for value, n in counts.items() if n > 0]
        return out


async def build_facet_index(conn: AsyncConnection) -> FacetIndex:
    """Read the live records and the facet table into a :class:`FacetIndex` (the parsing runs
    in a worker thread, so the event loop keeps answering)."""
    generation, records, postings = await facet_index_source(conn)
    return await asyncio.to_thread(_assemble, generation, records, postings)


def _assemble(generation: int, records: tuple[Any, ...], postings: list[list[Any]]) -> FacetIndex:
    count = int(records[0])
    pks, published, access, embargo, modified = (parse_ids(c or "", count) for c in records[1:])
    order = np.argsort(pks, kind="stable")
    pks = pks[order]
    rank = {d: i for i, d in enumerate(FACET_DIMENSIONS)}
    rows = sorted((row for row in postings if row[0] in rank), key=lambda r: (rank[r[0]], r[1]))
    values = [(str(d), str(v)) for d, v, _, _ in rows]
    lengths = np.fromiter((int(r[2]) for r in rows), dtype=np.int64, count=len(rows))
    starts = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    owner_pks = np.empty(int(starts[-1]), dtype=np.int64)
    for i, row in enumerate(rows):
        owner_pks[starts[i] : starts[i + 1]] = parse_ids(str(row[3]), int(lengths[i]))
        row[3] = ""  # each value's joined ids are parsed once; let the string go
    at = np.searchsorted(pks, owner_pks)
    if len(at) and (int(at.max()) >= len(pks) or not np.array_equal(pks[at], owner_pks)):
        # a facet row of a record deleted between the two reads: the generation has moved on,
        # so this index will not be used; keep it well-formed all the same
        at = np.minimum(at, max(len(pks) - 1, 0))
    del owner_pks  # the build's peak memory is its temporaries: free them as it goes
    owners = at.astype(np.int32)
    del at
    by_record = np.argsort(owners, kind="stable")
    offsets = np.zeros(len(pks) + 1, dtype=np.int64)
    np.cumsum(np.bincount(owners, minlength=len(pks)), out=offsets[1:])
    value_of_entry = np.repeat(np.arange(len(values), dtype=np.int32), lengths)
    ranges: dict[str, tuple[int, int]] = {}
    for index, (dimension, _) in enumerate(values):
        low, _high = ranges.get(dimension, (index, index))
        ranges[dimension] = (low, index + 1)
    return FacetIndex(
        generation=generation,
        pks=pks,
        published=published[order].astype(np.bool_),
        access=access[order].astype(np.int8),
        embargo=embargo[order].astype(np.int32),
        modified=modified[order],
        values=values,
        value_ids={v: i for i, v in enumerate(values)},
        dimension_ranges=ranges,
        starts=starts,
        owners=owners,
        offsets=offsets,
        values_of=value_of_entry[by_record],
    )


def _release_freed_memory() -> None:
    """Hand the build's freed heap back to the system (glibc keeps it otherwise, and the
    worker's resident size would carry every build's transient peak)."""
    try:
        libc = ctypes.CDLL(None)
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc
        return
    trim(0)


class FacetIndexHolder:
    """The current :class:`FacetIndex` of one database, rebuilt in the background when the
    catalogue's generation moves on.

    Rebuilds run one at a time, and a rebuild starts no sooner than ``pause_factor`` times the
    previous build's duration after it ended, so a catalogue under continuous writes spends at
    most about 1 / (1 + pause_factor) of a core on them (search counts in SQL meanwhile).
    """

    def __init__(self, engine: AsyncEngine, *, pause_factor: float = 4.0) -> None:
        self.engine = engine
        self.pause_factor = pause_factor
        self.current: FacetIndex | None = None
        self.builds = 0
        self.last_build_s = 0.0
        self._task: asyncio.Task[None] | None = None
        self._ended = 0.0

    def usable(self, generation: int) -> FacetIndex | None:
        """The index if it is at ``generation``; otherwise ``None``, and a rebuild is due."""
        index = self.current
        if index is not None and index.generation == generation:
            return index
        self.refresh()
        return None

    def refresh(self) -> None:
        """Start a rebuild unless one is running or the pause after the last has not passed."""
        if self._task is not None and not self._task.done():
            return
        if time.monotonic() < self._ended + self.pause_factor * self.last_build_s:
            return
        self._task = asyncio.get_running_loop().create_task(self._build())

    async def wait(self) -> None:
        """Wait for a running rebuild (tests, start-up)."""
        if self._task is not None:
            await asyncio.shield(self._task)

    async def _build(self) -> None:
        started = time.monotonic()
        try:
            async with self.engine.connect() as conn:
                index = await build_facet_index(conn)
        except Exception:
            logger.exception("facet index build failed; search counts facets in SQL")
            index = None
        self._ended = time.monotonic()
        self.last_build_s = self._ended - started
        if index is not None and (
            self.current is None or index.generation >= self.current.generation
        ):
            self.current = index
            _release_freed_memory()
            self.builds += 1
            logger.info(
                "facet index built",
                extra={
                    "event": "facet_index_built",
                    "generation": index.generation,
                    "records": index.size,
                    "values": len(index.values),
                    "seconds": round(self.last_build_s, 3),
                },
            )

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

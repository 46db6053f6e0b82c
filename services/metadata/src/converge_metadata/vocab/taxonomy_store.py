"""The full NCBI Taxonomy, loaded from NCBI's taxdump into a SQLite file the service reads.

NCBI publishes the taxonomy as ``taxdump.tar.gz`` / ``taxdmp.zip`` (``names.dmp`` about
250 MB, ``nodes.dmp`` about 200 MB, 2.6 million taxa). Held in Python objects that would cost
each worker gigabytes, so :func:`build_store` streams the files into an indexed SQLite file
(bounded memory: rows go to disk in batches) and :class:`TaxonStore` looks single taxa up by
primary key. The file is written beside itself and renamed into place, so a running service
keeps reading the file it opened until it restarts.
"""

from __future__ import annotations

import os
import sqlite3
import tarfile
import threading
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import IO

from converge_metadata.vocab.taxonomy import OTHER_NAME_CLASSES, Taxon, dmp_fields

__all__ = ["LoadReport", "TaxdumpError", "TaxonStore", "build_store"]

_SCHEMA = (
    "CREATE TABLE nodes (tax_id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL, "
    "rank TEXT NOT NULL)",
    "CREATE TABLE names (tax_id INTEGER NOT NULL, scientific INTEGER NOT NULL, "
    "name TEXT NOT NULL, PRIMARY KEY (tax_id, scientific, name)) WITHOUT ROWID",
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)
_BATCH = 10_000
_CACHED_TAXA = 8192
_NAMES, _NODES = "names.dmp", "nodes.dmp"


class TaxdumpError(ValueError):
    """The input is not an NCBI taxdump (or lacks its names file)."""


@dataclass(frozen=True)
class LoadReport:
    taxa: int
    names: int
    nodes: int
    skipped_lines: int


class TaxonStore:
    """Read side: one read-only connection per process, shared by its threads under a lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._pid = -1
        self._db: sqlite3.Connection | None = None
        # records name a few taxa again and again (human, mouse, ...): an import or a search
        # page asks for the same ids, and a lookup on disk costs 10 to 200 microseconds
        self._cached = lru_cache(maxsize=_CACHED_TAXA)(self._lookup)

    @classmethod
    def open(cls, path: Path) -> TaxonStore | None:
        """The store at ``path``, or None when nothing has been loaded there."""
        if not path.is_file():
            return None
        store = cls(path)
        store.get(1)  # fails now, at start-up, if the file is not a taxonomy store
        return store

    def _connection(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self._pid = os.getpid()
        return self._db

    def get(self, tax_id: int) -> Taxon | None:
        """The taxon with NCBI id ``tax_id``, or None when the store has no such taxon."""
        return self._cached(tax_id)

    def _lookup(self, tax_id: int) -> Taxon | None:
        with self._lock:
            db = self._connection()
            names = db.execute(
                "SELECT scientific, name FROM names WHERE tax_id = ?", (tax_id,)
            ).fetchall()
            node = db.execute("SELECT rank FROM nodes WHERE tax_id = ?", (tax_id,)).fetchone()
        scientific = [name for is_scientific, name in names if is_scientific]
        if not scientific:
            return None
        others = tuple(name for is_scientific, name in names if not is_scientific)
        return Taxon(tax_id, node[0] if node else "", scientific[0], others)

    def describe(self) -> dict[str, str]:
        with self._lock:
            rows = self._connection().execute("SELECT key, value FROM meta").fetchall()
        return dict(rows)


# --- building -------------------------------------------------------------------------------


def _batched(rows: Iterable[tuple[object, ...]]) -> Iterator[list[tuple[object, ...]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, _BATCH)):
        yield batch


class _Counter:
    def __init__(self) -> None:
        self.skipped = 0

    def rows(self, lines: Iterable[str]) -> Iterator[list[str]]:
        for line in lines:
            fields = dmp_fields(line)
            if fields is None:
                self.skipped += line.strip("\x00\r\n") != ""
                continue
            yield fields


def _name_rows(fields: Iterable[list[str]]) -> Iterator[tuple[object, ...]]:
    for row in fields:
        tax_id, name, kind = int(row[0]), row[1], row[3]
        if name and (kind == "scientific name" or kind in OTHER_NAME_CLASSES):
            yield tax_id, int(kind == "scientific name"), name


def _node_rows(fields: Iterable[list[str]]) -> Iterator[tuple[object, ...]]:
    for row in fields:
        if row[1].isdigit():
            yield int(row[0]), int(row[1]), row[2]


def _text(stream: IO[bytes]) -> Iterator[str]:
    # line by line from the binary stream: a member of a streamed .tar.gz is not seekable,
    # which io.TextIOWrapper needs on Python 3.11
    for line in stream:
        yield line.decode("utf-8", errors="replace")


def _zip_members(path: Path) -> Iterator[tuple[str, IO[bytes]]]:
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            base = info.filename.rsplit("/", 1)[-1]
            if base in (_NAMES, _NODES):
                with archive.open(info) as stream:
                    yield base, stream


def _tar_members(path: Path) -> Iterator[tuple[str, IO[bytes]]]:
    with tarfile.open(path, mode="r|*") as archive:
        for entry in archive:
            base = entry.name.rsplit("/", 1)[-1]
            if entry.isfile() and base in (_NAMES, _NODES):
                member = archive.extractfile(entry)
                if member is not None:
                    yield base, member


def _members(names: Path, nodes: Path | None) -> Iterator[tuple[str, IO[bytes]]]:
    """(``names.dmp`` or ``nodes.dmp``, binary stream) for each file the input holds, in the
    order they come: a ``.tar.gz`` is read as one stream, without unpacking it."""
    plain = names.suffix.lower() == ".dmp"
    if not plain and zipfile.is_zipfile(names):
        yield from _zip_members(names)
    elif not plain and tarfile.is_tarfile(names):
        yield from _tar_members(names)
    else:
        with names.open("rb") as stream:
            yield _NAMES, stream
    if nodes is not None:
        with nodes.open("rb") as stream:
            yield _NODES, stream


def build_store(names: Path, destination: Path, *, nodes: Path | None = None) -> LoadReport:
    """Stream a taxdump (``names.dmp`` with an optional ``nodes.dmp``, or NCBI's
    ``taxdump.tar.gz`` / ``taxdmp.zip`` holding both) into a new store at ``destination``."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    counter = _Counter()
    seen: set[str] = set()
    db = sqlite3.connect(partial)
    try:
        # a partial file is thrown away on any failure, so durability is not needed until
        # the end; the page cache stays at SQLite's default (about 2 MB)
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        for statement in _SCHEMA:
            db.execute(statement)
        for kind, stream in _members(names, nodes):
            seen.add(kind)
            rows = counter.rows(_text(stream))
            if kind == _NAMES:
                insert = "INSERT OR IGNORE INTO names VALUES (?, ?, ?)"
                batches = _batched(_name_rows(rows))
            else:
                insert = "INSERT OR REPLACE INTO nodes VALUES (?, ?, ?)"
                batches = _batched(_node_rows(rows))
            for batch in batches:
                db.executemany(insert, batch)
        if _NAMES not in seen:
            raise TaxdumpError(f"{names} holds no {_NAMES}")
        report = _report(db, counter.skipped)
        if report.taxa == 0:
            raise TaxdumpError(
                f"{names} has no taxdump rows with a scientific name "
                "(expected 'tax_id\\t|\\tname\\t|\\tunique name\\t|\\tname class\\t|')"
            )
        meta = {
            "source": names.name,
            "loaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "taxa": str(report.taxa),
            "nodes": str(report.nodes),
        }
        db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        db.commit()
    except BaseException:
        db.close()
        partial.unlink(missing_ok=True)
        raise
    db.close()
    os.replace(partial, destination)
    return report


def _report(db: sqlite3.Connection, skipped: int) -> LoadReport:
    def count(sql: str) -> int:
        return int(db.execute(sql).fetchone()[0])

    return LoadReport(
        taxa=count("SELECT count(*) FROM names WHERE scientific = 1"),
        names=count("SELECT count(*) FROM names"),
        nodes=count("SELECT count(*) FROM nodes"),
        skipped_lines=skipped,
    )

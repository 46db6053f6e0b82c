"""Search queries: FTS5 with bm25 on SQLite, tsvector with ts_rank on PostgreSQL.

One filtered match set (a CTE) feeds three statements: the page, the facet counts of every
dimension in one ``UNION ALL``, and the highlighted snippets of the page's rows.
"""

# SQL is assembled from fixed fragments; every value is a bound parameter.
# ruff: noqa: S608
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from converge_common.db import UTCDateTime
from sqlalchemy import JSON, Float, Integer, String, TextClause, bindparam, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from converge_metadata import access
from converge_metadata.records.repository import catalogue_generation
from converge_metadata.search.query import parse_query, to_fts5, to_tsquery
from converge_metadata.search.schemas import SearchFilters

__all__ = [
    "MARK_END",
    "MARK_START",
    "NO_START",
    "Match",
    "PageRow",
    "SearchSql",
    "facet_index_source",
    "parse_ids",
]

MARK_START, MARK_END = "\x02", "\x03"
# bm25 column weights: title, body, keywords, people, ids, terms
_BM25 = "bm25(record_search, 10.0, 1.0, 5.0, 3.0, 6.0, 4.0)"
_MULTI = ("topic", "organism", "license", "keyword", "language")
_KEYS = "r.modified_at AS modified_at, r.sort_title AS sort_title"


# course fields read from the record document: the start's calendar date as the record gives
# it (``YYYY-MM-DD``, the first ten characters of a date or a date-time), ``online`` (absent:
# false, as stored documents leave defaults out), the level
_COURSE_FIELDS = {
    "sqlite": {
        "start": "substr(json_extract({r}.document, '$.course.start_date'), 1, 10)",
        "online": "CASE WHEN json_extract({r}.document, '$.course.start_date') IS NULL THEN NULL "
        "WHEN json_extract({r}.document, '$.course.online') = 1 THEN 'true' ELSE 'false' END",
        "level": "json_extract({r}.document, '$.training.level')",
    },
    "postgresql": {
        "start": "substr({r}.document -> 'course' ->> 'start_date', 1, 10)",
        "online": "CASE WHEN {r}.document -> 'course' ->> 'start_date' IS NULL THEN NULL "
        "WHEN {r}.document -> 'course' ->> 'online' = 'true' THEN 'true' ELSE 'false' END",
        "level": "({r}.document -> 'training' ->> 'level')",
    },
}
# records without a course sort after every course by start
NO_START = "9999-12-31"

_NO_EMBARGO = 99991231  # embargo dates are held as YYYYMMDD integers
_EMBARGO_DAY = {
    "sqlite": "CAST(strftime('%Y%m%d', embargo_until) AS INTEGER)",
    "postgresql": "CAST(to_char(embargo_until, 'YYYYMMDD') AS INTEGER)",
}
# the modification time as exact integer microseconds, the order SQL pages by
_MODIFIED_MICROS = {
    # SQLite holds 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC)
    "sqlite": "CAST(strftime('%s', modified_at) AS INTEGER) * 1000000 "
    "+ CAST(substr(modified_at, 21, 6) AS INTEGER)",
    "postgresql": "CAST(EXTRACT(EPOCH FROM modified_at) * 1000000 AS BIGINT)",
}


def _joined(dialect: str, expression: str) -> str:
    """An aggregate joining ``expression`` over the rows with commas (see :func:`parse_ids`)."""
    if dialect == "sqlite":
        return f"group_concat({expression})"
    return f"string_agg(CAST({expression} AS VARCHAR), ',')"


def parse_ids(csv: str, count: int) -> npt.NDArray[np.int64]:
    """Integers joined by commas (SQL ``group_concat`` / ``string_agg``), parsed in C."""
    if not count:
        return np.zeros(0, dtype=np.int64)
    ids = np.fromstring(csv, dtype=np.int64, sep=",")
    if len(ids) != count:
        raise ValueError(f"expected {count} ids, parsed {len(ids)}")
    return ids


@dataclass
class Match:
    """The SQL of the filtered match set and its parameters."""

    sql: str
    params: dict[str, Any] = field(default_factory=dict)
    has_query: bool = False
    # the same set without the relevance score: facet counts need only the keys
    keys_sql: str = ""


@dataclass(frozen=True)
class PageRow:
    pk: int
    local_id: str
    type: str
    access: str
    modified_at: datetime
    document: dict[str, Any]
    score: float
    sort_title: str


class SearchSql:
    """Builds and runs the statements for one backend (``sqlite`` or ``postgresql``)."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        # the access rules as text on the alias ``r`` (``e`` for lapsed embargoes), with the
        # date bound as ``:today``: built from ``converge_metadata.access``, once per dialect
        self.public = access.sql_text("public", dialect, "r")
        self.effective_access = access.sql_text("effective", dialect, "r")
        self.lapsed = access.sql_text("lapsed", dialect, "e")
        # SQLite's planner would otherwise drive from ``records`` by its status index and probe
        # the full-text match per row; CROSS JOIN fixes the match set as the outer loop
        self.join = "CROSS JOIN" if dialect == "sqlite" else "JOIN"
        # filters and sort keys read the narrow covering index, keyed by pk, not the wide rows
        # (each carries its JSON document); SQLite would pick the rowid table by itself
        self.records = (
            "records r INDEXED BY ix_records_search_cover" if dialect == "sqlite" else "records r"
        )

    def _in(self, params: dict[str, Any], name: str, values: list[Any]) -> str:
        marks = []
        for index, value in enumerate(values):
            key = f"{name}{index}"
            params[key] = value
            marks.append(f":{key}")
        return ", ".join(marks)

    def course_field(self, name: str, alias: str = "r") -> str:
        return _COURSE_FIELDS[self.dialect][name].format(r=alias)

    def course_conditions(self, filters: SearchFilters, params: dict[str, Any]) -> list[str]:
        """The course filters as conditions on the record document of the alias ``r``: a
        record without a course has no start and no ``online``, so either filter drops it."""
        where = []
        if filters.starts_from is not None:
            where.append(f"{self.course_field('start')} >= :starts_from")
            params["starts_from"] = filters.starts_from.isoformat()
        if filters.starts_to is not None:
            where.append(f"{self.course_field('start')} <= :starts_to")
            params["starts_to"] = filters.starts_to.isoformat()
        if filters.online is not None:
            where.append(f"{self.course_field('online')} = :online")
            params["online"] = "true" if filters.online else "false"
        if filters.level:
            marks = self._in(params, "lv", list(filters.level))
            where.append(f"{self.course_field('level')} IN ({marks})")
        return where

    async def course_matches(
        self, session: AsyncSession, filters: SearchFilters
    ) -> npt.NDArray[np.int64]:
        """The pks of the live records the course filters admit (no other condition), for the
        facet index, which holds no document fields."""
        params: dict[str, Any] = {}
        conditions = " AND ".join(
            ["r.deleted_at IS NULL", *self.course_conditions(filters, params)]
        )
        sql = f"SELECT COUNT(*), {_joined(self.dialect, 'r.pk')} FROM records r WHERE {conditions}"
        count, joined = (await session.execute(text(sql), params)).one()
        return np.sort(parse_ids(joined or "", int(count)))

    def match(self, filters: SearchFilters, *, steward: bool, today: date) -> Match:
        params: dict[str, Any] = {"today": today}
        # stewards see every live record; the public rule implies a live one
        where = ["r.deleted_at IS NULL" if steward else self.public]
        if filters.type:
            where.append(f"r.type IN ({self._in(params, 'ty', list(filters.type))})")
        if filters.status:
            where.append(f"r.status IN ({self._in(params, 'st', list(filters.status))})")
        if filters.access:
            marks = self._in(params, "ac", list(filters.access))
            where.append(f"{self.effective_access} IN ({marks})")
        if filters.year_from is not None:
            where.append("r.issued_year >= :year_from")
            params["year_from"] = filters.year_from
        if filters.year_to is not None:
            where.append("r.issued_year <= :year_to")
            params["year_to"] = filters.year_to
        where += self.course_conditions(filters, params)
        for dim in _MULTI:
            values: list[str] = getattr(filters, dim)
            if values:
                params[f"d_{dim}"] = dim
                where.append(
                    f"r.pk IN (SELECT record_pk FROM record_facets WHERE dimension = :d_{dim} "
                    f"AND value IN ({self._in(params, 'v_' + dim, values)}))"
                )
        query = parse_query(filters.q)
        conditions = " AND ".join(where)
        if query is None:
            source = f"FROM {self.records} WHERE {conditions}"
            return Match(
                f"SELECT r.pk AS pk, 0.0 AS score, {_KEYS} {source}",
                params,
                False,
                f"SELECT r.pk {source}",
            )
        if self.dialect == "sqlite":
            params["q"] = to_fts5(query)
            score = f"-{_BM25}"
            source = (
                f"FROM record_search {self.join} {self.records} ON r.pk = record_search.rowid "
                f"WHERE record_search MATCH :q AND {conditions}"
            )
        else:
            params["q"] = to_tsquery(query)
            score = "ts_rank(s.tsv, to_tsquery('english', :q))"
            source = (
                "FROM record_search s JOIN records r ON r.pk = s.record_pk "
                f"WHERE s.tsv @@ to_tsquery('english', :q) AND {conditions}"
            )
        return Match(
            f"SELECT r.pk AS pk, {score} AS score, {_KEYS} {source}",
            params,
            True,
            f"SELECT r.pk {source}",
        )

    async def page(
        self,
        session: AsyncSession,
        match: Match,
        *,
        order: str,
        after: tuple[Any, int] | None,
        limit: int,
    ) -> list[PageRow]:
        params = dict(match.params, limit=limit)
        column, direction = {
            "relevance": ("score", "DESC"),
            "date": ("modified_at", "DESC"),
            "title": ("sort_title", "ASC"),
            "start": ("start_key", "ASC"),
        }[order]
        source = "m"
        if order == "start":
            # the start is no column: read it from the matching records' documents
            start = self.course_field("start", "x")
            source = (
                f"(SELECT m.pk AS pk, m.score AS score, COALESCE({start}, '{NO_START}') "
                "AS start_key FROM m JOIN records x ON x.pk = m.pk) s"
            )
        seek = ""
        types: dict[str, Any] = {}
        if after is not None:
            op = "<" if direction == "DESC" else ">"
            seek = f"WHERE ({column} {op} :cv OR ({column} = :cv AND pk > :ck))"
            params.update(cv=after[0], ck=after[1])
            types["cv"] = {
                "relevance": Float(),
                "date": UTCDateTime(),
                "title": String(),
                "start": String(),
            }[order]
        # rank and cut the page on the match set's own sort keys; only the page's rows visit
        # the wide records rows for their documents
        stmt = text(
            f"WITH m AS ({match.sql}), "
            f"p AS (SELECT pk, score, {column} AS k FROM {source} {seek} "
            f"ORDER BY {column} {direction}, pk ASC LIMIT :limit) "
            "SELECT r.pk, r.local_id, r.type, "
            f"{self.effective_access} AS access, r.modified_at, r.document, p.score, r.sort_title "
            f"FROM p {self.join} records r ON r.pk = p.pk "
            f"ORDER BY p.k {direction}, r.pk ASC"
        )
        if types:
            stmt = stmt.bindparams(*(bindparam(k, type_=t) for k, t in types.items()))
        stmt = stmt.columns(pk=Integer(), modified_at=UTCDateTime(), document=JSON(), score=Float())  # type: ignore[assignment]
        rows = (await session.execute(stmt, params)).all()
        return [PageRow(*row) for row in rows]

    async def rows(self, session: AsyncSession, pks: list[int], *, today: date) -> list[PageRow]:
        """The page rows of the given records, in the order given (a page chosen elsewhere)."""
        if not pks:
            return []
        params: dict[str, Any] = {"today": today}
        marks = self._in(params, "pk", pks)
        stmt = text(
            "SELECT r.pk, r.local_id, r.type, "
            f"{self.effective_access} AS access, r.modified_at, r.document, 0.0 AS score, "
            f"r.sort_title FROM records r WHERE r.pk IN ({marks})"
        ).columns(pk=Integer(), modified_at=UTCDateTime(), document=JSON(), score=Float())
        found = {row[0]: PageRow(*row) for row in (await session.execute(stmt, params)).all()}
        return [found[pk] for pk in pks if pk in found]

    async def facet_counts(
        self, session: AsyncSession, match: Match, *, limit: int = 10
    ) -> list[tuple[str, str, int]]:
        """The top ``limit`` values of every dimension (all types: they make the total).

        One grouped pass over the narrow facet table, keyed by the match set materialised
        once. Access counts stored levels; the embargoed records whose embargo has lapsed are
        counted apart (only they visit ``records``) and moved to public here, so the grouping
        keys stay plain columns (PostgreSQL can then hash them instead of sorting).
        """
        join = self.join
        sql = (
            f"WITH m AS MATERIALIZED ({match.keys_sql}), "
            f"c AS (SELECT f.dimension AS d, f.value AS v, COUNT(*) AS n "
            f"FROM m {join} record_facets f ON f.record_pk = m.pk GROUP BY f.dimension, f.value), "
            "t AS (SELECT d, v, n, ROW_NUMBER() OVER (PARTITION BY d ORDER BY n DESC, v) AS k "
            "FROM c) "
            "SELECT d, v, n FROM t WHERE k <= :facet_limit OR d IN ('type', 'access') "
            "UNION ALL SELECT '', 'lapsed', COUNT(*) "
            f"FROM m {join} record_facets f ON f.record_pk = m.pk AND f.dimension = 'access' "
            f"AND f.value = 'embargoed' {join} records e ON e.pk = f.record_pk "
            f"WHERE {self.lapsed}"
        )
        rows = await session.execute(text(sql), {**match.params, "facet_limit": limit})
        counts = {(str(d), str(v)): int(n) for d, v, n in rows.all()}
        lapsed = counts.pop(("", "lapsed"), 0)
        levels = {v: n for (d, v), n in counts.items() if d == "access"}
        access.count_lapsed_as_effective(levels, lapsed)
        counts.update({("access", v): n for v, n in levels.items()})
        return [(d, v, n) for (d, v), n in counts.items() if n > 0]

    async def text_matches(self, session: AsyncSession, match: Match) -> npt.NDArray[np.int64]:
        """The pks of every record the free text matches (no other condition), as one array:
        the database joins them into one string, which numpy parses in one pass."""
        params = {"q": match.params["q"]}
        if self.dialect == "sqlite":
            ids, where = "rowid", "record_search MATCH :q"
        else:
            ids, where = "record_pk", "tsv @@ to_tsquery('english', :q)"
        sql = f"SELECT COUNT(*), {_joined(self.dialect, ids)} FROM record_search WHERE {where}"
        count, joined = (await session.execute(text(sql), params)).one()
        return parse_ids(joined or "", int(count))

    async def snippets(self, session: AsyncSession, match: Match, pks: list[int]) -> dict[int, str]:
        if not match.has_query or not pks:
            return {}
        params: dict[str, Any] = {"q": match.params["q"]}
        marks = self._in(params, "pk", pks)
        if self.dialect == "sqlite":
            stmt: TextClause = text(
                "SELECT rowid, snippet(record_search, 1, char(2), char(3), '…', 24), "
                "snippet(record_search, 0, char(2), char(3), '…', 24) "
                f"FROM record_search WHERE record_search MATCH :q AND rowid IN ({marks})"
            )
        else:
            params["opts"] = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12"
            stmt = text(
                "SELECT record_pk, ts_headline('english', body, to_tsquery('english', :q), "
                ":opts), ts_headline('english', title, to_tsquery('english', :q), :opts) "
                f"FROM record_search WHERE record_pk IN ({marks})"
            )
        rows = await session.execute(stmt, params)
        # the description when it matches, else the title: both read better than id lists
        return {
            int(pk): str(body) if MARK_START in str(body) else str(title)
            for pk, body, title in rows.all()
        }


async def facet_index_source(
    conn: AsyncConnection,
) -> tuple[int, tuple[Any, ...], list[list[Any]]]:
    """What the facet index is built from: the catalogue generation, then the live records'
    columns (a count and one comma-joined string per column, in the same row order) and the
    facet postings (dimension, value, count, joined record pks), as mutable lists.

    The generation is read first: rows written after it make the index newer than its label,
    never older, and such an index is not used, since the database's generation has moved.
    Joined strings rather than a row object per record keep the build's memory to a few bytes
    per record.
    """
    generation = await catalogue_generation(conn)
    dialect = conn.dialect.name
    columns = [
        "pk",
        f"CASE WHEN status = '{access.PUBLISHED}' THEN 1 ELSE 0 END",
        access.access_code_sql(),
        f"COALESCE({_EMBARGO_DAY[dialect]}, {_NO_EMBARGO})",
        _MODIFIED_MICROS[dialect],
    ]
    aggregates = ", ".join(_joined(dialect, c) for c in columns)
    records = await conn.execute(
        text(f"SELECT COUNT(*), {aggregates} FROM records WHERE deleted_at IS NULL")
    )
    postings = await conn.execute(
        text(
            "SELECT dimension, value, COUNT(*), "
            f"{_joined(dialect, 'record_pk')} FROM record_facets GROUP BY dimension, value"
        )
    )
    return generation, tuple(records.one()), [list(row) for row in postings.all()]

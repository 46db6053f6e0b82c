"""The in-process facet index counts exactly what SQL counts, and is never used when stale.

The corpus is the benchmark's generator (real EDAM topics, NCBI taxa, SPDX licences), then
changed so that every visibility rule shows: drafts, running and lapsed embargoes, controlled
access, tombstones. Each search runs twice, facets from the index and from SQL, and the
answers must be identical (facet values, counts, order, total), for anonymous and steward
callers, with a small facet limit so that the top-N cut and its tie-break are exercised.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio
from converge_common.db import Database
from converge_common.testing.asgi import asgi_client
from converge_metadata.app import create_app
from converge_metadata.records.repository import catalogue_generation, get_record
from converge_metadata.records.schemas import RecordCreate
from converge_metadata.records.service import delete_record, etag_of
from converge_metadata.records.upsert import upsert_records
from converge_metadata.search import service
from converge_metadata.search.facet_index import FacetIndex, FacetIndexHolder, build_facet_index
from converge_metadata.search.runtime import AnswerCache
from converge_metadata.search.schemas import SearchFilters, SearchResponse
from converge_metadata.settings import MetadataSettings
from converge_metadata.vocab import Vocabularies
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from bench.metadata_corpus import generate
from tests.metadata.conftest import dataset

TODAY = datetime.now(UTC).date()
CODEC = service.search_tokens("test-secret-test-secret-test-secret")


def _bodies() -> list[dict[str, Any]]:
    bodies = list(generate(400, seed=3))
    for i, body in enumerate(bodies):
        if i % 9 == 0:
            body["status"] = "draft"
        if i % 13 == 0:
            body["access"] = {
                "level": "embargoed",
                "embargo_until": (TODAY + timedelta(days=30)).isoformat(),
            }
    return bodies


@pytest_asyncio.fixture(loop_scope="session")
async def db(metadata_db: str, vocab: Vocabularies) -> AsyncIterator[Database]:
    database = Database.from_url(metadata_db)
    bodies = _bodies()
    try:
        async for session in database.session():
            report = await upsert_records(
                session, [RecordCreate.model_validate(b) for b in bodies], actor="t", vocab=vocab
            )
            assert report.created == 400, report.failed[:3]
        async for session in database.session():
            # embargoes that lapsed yesterday (the service never writes the past; a day passes)
            await session.execute(
                text(
                    "UPDATE records SET embargo_until = :d "
                    "WHERE access_level = 'embargoed' AND pk % 2 = 0"
                ),
                {"d": TODAY - timedelta(days=1)},
            )
            for local_id in ("rec-0000001", "rec-0000002", "rec-0000005"):
                await _delete(session, local_id)
        yield database
    finally:
        await database.dispose()


async def _delete(session: AsyncSession, local_id: str) -> None:
    record = await get_record(session, local_id)
    assert record is not None
    await delete_record(session, local_id, if_match=etag_of(record), actor="t")


async def _index(db: Database) -> FacetIndex:
    async with db.engine.connect() as conn:
        return await build_facet_index(conn)


async def _search(
    db: Database, vocab: Vocabularies, filters: SearchFilters, **kw: Any
) -> SearchResponse:
    async for session in db.session():
        return await service.search(
            session,
            filters,
            sort=None,
            limit=5,
            cursor=None,
            today=TODAY,
            node="de",
            codec=CODEC,
            vocab=vocab,
            facet_limit=3,
            **kw,
        )
    raise AssertionError("no session")


FILTERS = [
    {},
    {"q": "protein"},
    {"q": "data analysis"},
    {"q": "sequence", "type": ["Dataset", "Software"]},
    {"type": ["Dataset"], "year_from": 2012, "year_to": 2018},
    {"access": ["public"]},
    {"access": ["embargoed", "controlled"]},
    {"license": ["CC-BY-4.0", "MIT"]},
    {"language": ["fi"]},
    {"q": "zzzz-no-such-word"},
    # the query language: the index intersects whatever set the full text matches
    {"q": "protein -sequence"},
    {"q": "title:protein OR keyword:retention"},
    {"q": '"nucleic acid" -(protein OR structure)', "type": ["Dataset", "Software"]},
    # course filters read the documents; the index intersects the set SQL finds
    {"starts_from": "2021-01-01", "starts_to": "2022-06-30"},
    {"online": True, "level": ["beginner"]},
    {"q": "protein", "online": False},
    {"level": ["intermediate", "advanced"], "type": ["TrainingMaterial"]},
]


@pytest.mark.parametrize("steward", [False, True], ids=["anonymous", "steward"])
@pytest.mark.parametrize("raw", FILTERS, ids=lambda f: ",".join(f) or "all")
async def test_index_counts_equal_sql_counts(
    db: Database, vocab: Vocabularies, raw: dict[str, Any], steward: bool
) -> None:
    index = await _index(db)
    filters = SearchFilters(**raw)
    by_sql = await _search(db, vocab, filters, steward=steward)
    by_index = await _search(db, vocab, filters, steward=steward, facet_index=index)
    assert by_index.total == by_sql.total
    assert by_index.facets == by_sql.facets
    assert by_index.items == by_sql.items


async def _walk(
    db: Database, vocab: Vocabularies, filters: SearchFilters, index: FacetIndex | None
) -> list[str]:
    ids: list[str] = []
    cursor = None
    for _ in range(100):
        async for session in db.session():
            page = await service.search(
                session,
                filters,
                sort="date",
                limit=7,
                cursor=cursor,
                steward=False,
                today=TODAY,
                node="de",
                codec=CODEC,
                vocab=vocab,
                facet_limit=3,
                facet_index=index,
            )
        ids += [hit.id for hit in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return ids
    raise AssertionError("paging did not end")


@pytest.mark.parametrize(
    "raw", [{}, {"type": ["Dataset"], "year_from": 2015}, {"starts_from": "2020-06-01"}]
)
async def test_index_pages_by_date_as_sql_does(
    db: Database, vocab: Vocabularies, raw: dict[str, Any]
) -> None:
    # one import batch shares one modification time: the pk breaks those ties
    index = await _index(db)
    filters = SearchFilters(**raw)
    by_index = await _walk(db, vocab, filters, index)
    assert by_index == await _walk(db, vocab, filters, None)
    assert len(by_index) == len(set(by_index)) > 20


async def test_filters_by_facet_values_and_the_corpus_shows_every_rule(
    db: Database, vocab: Vocabularies
) -> None:
    index = await _index(db)
    everything = await _search(db, vocab, SearchFilters(), steward=True, facet_index=index)
    public = await _search(db, vocab, SearchFilters(), steward=False, facet_index=index)
    access = {f.value: f.count for f in public.facets["access"]}
    # lapsed embargoes count as public, running ones are hidden from anonymous callers
    assert "embargoed" not in access
    assert access["public"] > 0
    assert access["controlled"] > 0
    assert everything.total == 397  # 400 created, 3 tombstones
    assert public.total is not None
    assert public.total < 397
    # filter by the most frequent topic and organism the facets name
    topic = public.facets["topic"][0]
    organism = public.facets["organism"][0]
    for dimension, facet in (("topic", topic), ("organism", organism)):
        filters = SearchFilters(**{dimension: [facet.value]})
        by_index = await _search(db, vocab, filters, steward=False, facet_index=index)
        by_sql = await _search(db, vocab, filters, steward=False)
        assert by_index.total == by_sql.total == facet.count
        assert by_index.facets == by_sql.facets


async def test_generation_moves_with_every_write(db: Database, vocab: Vocabularies) -> None:
    index = await _index(db)
    async for session in db.session():
        assert await catalogue_generation(session) == index.generation
        report = await upsert_records(
            session, [RecordCreate.model_validate(dataset(id="fresh"))], actor="t", vocab=vocab
        )
        assert report.created == 1
    async for session in db.session():
        after_create = await catalogue_generation(session)
        assert after_create > index.generation
        await _delete(session, "fresh")
    async for session in db.session():
        assert await catalogue_generation(session) > after_create
    # an unchanged re-import writes nothing, and the generation stays
    async for session in db.session():
        before = await catalogue_generation(session)
        body = _bodies()[3]
        await upsert_records(session, [RecordCreate.model_validate(body)], actor="t", vocab=vocab)
        assert await catalogue_generation(session) == before


async def test_holder_refuses_a_stale_index_and_rebuilds(db: Database) -> None:
    holder = FacetIndexHolder(db.engine, pause_factor=0.0)
    assert holder.usable(-1) is None  # nothing built yet: starts a build
    await holder.wait()
    assert holder.current is not None
    assert holder.builds == 1
    generation = holder.current.generation
    assert holder.usable(generation) is holder.current
    assert holder.usable(generation + 1) is None  # the catalogue moved on: rebuild
    await holder.wait()
    assert holder.builds == 2
    await holder.close()


def test_answer_cache_is_per_generation_and_bounded() -> None:
    cache = AnswerCache(2)
    cache.put(1, b"a", b"A")
    cache.put(1, b"b", b"B")
    assert cache.get(1, b"a") == b"A"  # now most recent
    cache.put(1, b"c", b"C")
    assert cache.get(1, b"b") is None
    assert len(cache) == 2
    assert cache.get(2, b"a") is None
    assert len(cache) == 0
    off = AnswerCache(0)
    off.put(1, b"a", b"A")
    assert off.get(1, b"a") is None


@pytest_asyncio.fixture(loop_scope="session")
async def served(settings: MetadataSettings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(settings)
    async with asgi_client(app) as client:
        yield app, client


class TestThroughTheApi:
    async def test_a_write_shows_in_the_next_search(
        self, served: tuple[FastAPI, httpx.AsyncClient], steward: dict[str, str]
    ) -> None:
        _, api = served
        first = (await api.get("/api/v1/search", params={"q": "zebrafish"})).json()
        assert first["total"] == 0
        again = await api.get("/api/v1/search", params={"q": "zebrafish"})
        assert again.json() == first
        body = dataset(id="zebrafish-fins", title={"en": "Zebrafish fin regeneration"})
        created = await api.post("/api/v1/records", json=body, headers=steward)
        assert created.status_code == 201, created.text
        after = (await api.get("/api/v1/search", params={"q": "zebrafish"})).json()
        assert after["total"] == 1
        assert after["items"][0]["id"] == "zebrafish-fins"
        assert after["facets"]["type"] == [{"value": "Dataset", "label": "Dataset", "count": 1}]
        metrics = (await api.get("/metrics")).text
        assert 'converge_metadata_search_cache_lookups_total{result="hit"} 1.0' in metrics

    async def test_index_answers_once_built(
        self, served: tuple[FastAPI, httpx.AsyncClient], steward: dict[str, str]
    ) -> None:
        app, api = served
        holder: FacetIndexHolder = app.state.search.facet_index
        await holder.wait()  # the start-up build
        holder.pause_factor = 0.0  # rebuild as soon as asked (the pause only spares CPU)
        created = await api.post("/api/v1/records", json=dataset(), headers=steward)
        assert created.status_code == 201
        # the first search after the write counts in SQL and starts a rebuild
        params = {"q": "mouse", "facets": "true"}
        first = (await api.get("/api/v1/search", params=params, headers=steward)).json()
        await holder.wait()
        assert holder.current is not None
        second = (await api.get("/api/v1/search", params=params, headers=steward)).json()
        assert second == first
        assert second["total"] == 1
        metrics = (await api.get("/metrics")).text
        assert 'converge_metadata_search_facets_total{source="index"} 1.0' in metrics
        assert 'converge_metadata_search_facets_total{source="sql"}' in metrics


def test_positions_ignore_unknown_pks() -> None:
    import numpy as np

    index = FacetIndex(
        generation=1,
        pks=np.array([2, 5, 9], dtype=np.int64),
        published=np.ones(3, dtype=np.bool_),
        access=np.zeros(3, dtype=np.int8),
        embargo=np.zeros(3, dtype=np.int32),
        modified=np.zeros(3, dtype=np.int64),
        values=[],
        value_ids={},
        dimension_ranges={},
        starts=np.zeros(1, dtype=np.int64),
        owners=np.zeros(0, dtype=np.int32),
        offsets=np.zeros(4, dtype=np.int64),
        values_of=np.zeros(0, dtype=np.int32),
    )
    mask = index.positions(np.array([1, 5, 9, 12], dtype=np.int64))
    assert mask.tolist() == [False, True, True]
    assert index.counts(mask, limit=3, today=date(2026, 1, 1)) == []


@pytest.mark.parametrize("density", [0.0, 0.02, 0.2, 0.3, 1.0])
async def test_narrow_and_broad_counting_agree_with_the_postings(
    db: Database, density: float
) -> None:
    import numpy as np

    index = await _index(db)
    mask = np.random.default_rng(7).random(index.size) < density
    expected = [
        int(mask[index.owners[index.starts[v] : index.starts[v + 1]]].sum())
        for v in range(len(index.values))
    ]
    assert index._per_value(mask).tolist() == expected


@pytest.mark.parametrize("steward", [False, True], ids=["anonymous", "steward"])
async def test_index_visibility_is_the_access_rule(db: Database, steward: bool) -> None:
    """The index's masks are built from ``converge_metadata.access``: on this corpus (drafts,
    running and lapsed embargoes, controlled, tombstones) they select exactly the records the
    rule's SQL clause and its Python predicate select, and report the same effective levels."""
    from converge_metadata import access
    from converge_metadata.models import Record
    from sqlalchemy import select

    index = await _index(db)
    viewer = access.Viewer(steward=steward, today=TODAY)
    async for session in db.session():
        rows = (await session.scalars(select(Record).where(Record.deleted_at.is_(None)))).all()
        by_python = {r.pk for r in rows if access.visible_to(r, viewer)}
        levels = {
            r.pk: access.effective_access(r.access_level, r.embargo_until, TODAY) for r in rows
        }
        stmt = select(Record.pk).where(Record.deleted_at.is_(None))
        if not steward:
            stmt = stmt.where(access.public_clause(Record.__table__.c, TODAY))  # type: ignore[arg-type]
        by_sql = set((await session.scalars(stmt)).all())
    by_index = set(index.pks[index.visible(steward=steward, today=TODAY)].tolist())
    assert by_index == by_sql == by_python
    codes = access.effective_codes(access=index.access, embargo=index.embargo, today=TODAY)
    assert {
        int(p): access.ACCESS_LEVELS[int(c)] for p, c in zip(index.pks, codes, strict=True)
    } == levels
    assert {"public", "embargoed", "controlled"} == set(levels.values())

"""Search by course: start dates, online, level, soonest first; the course summary of a hit."""

from __future__ import annotations

from typing import Any

import httpx
import pytest_asyncio

from tests.metadata.conftest import dataset


def _course(local_id: str, start: str, end: str, **course: Any) -> dict[str, Any]:
    level = course.pop("level", "beginner")
    return {
        "id": local_id,
        "type": "CourseInstance",
        "status": "published",
        "title": {"en": f"Course {local_id}"},
        "description": {"en": "A hands-on course."},
        "topics": ["topic_0121"],
        "training": {"level": level},
        "course": {"start_date": start, "end_date": end, **course},
    }


@pytest_asyncio.fixture(loop_scope="session")
async def courses(api: httpx.AsyncClient, steward: dict[str, str]) -> None:
    bodies = [
        dataset(),
        _course("c-june", "2030-06-10", "2030-06-12", location={"name": "Espoo", "country": "FI"}),
        _course("c-may", "2030-05-02T09:00:00Z", "2030-05-02T17:00:00Z", online=True),
        _course("c-july", "2030-07-01", "2030-07-03", online=True, level="advanced"),
        _course("c-past", "2020-01-10", "2020-01-11", online=True, level="intermediate"),
        {
            **_course("material", "2030-01-01", "2030-01-02", level="advanced"),
            "type": "TrainingMaterial",
            "course": None,
        },
    ]
    for body in bodies:
        body = {k: v for k, v in body.items() if v is not None}
        response = await api.post("/api/v1/records", json=body, headers=steward)
        assert response.status_code == 201, response.text


async def _ids(api: httpx.AsyncClient, **params: Any) -> list[str]:
    response = await api.get("/api/v1/search", params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


class TestCourseFilters:
    async def test_start_range_is_inclusive_and_drops_records_without_a_course(
        self, api: httpx.AsyncClient, courses: None
    ) -> None:
        found = await _ids(api, starts_from="2030-05-02", starts_to="2030-06-10", sort="start")
        # a date-time start counts by its calendar date
        assert found == ["c-may", "c-june"]
        assert await _ids(api, starts_from="2030-01-01", sort="start") == [
            "c-may",
            "c-june",
            "c-july",
        ]
        assert await _ids(api, starts_to="2029-12-31") == ["c-past"]

    async def test_online_and_level(self, api: httpx.AsyncClient, courses: None) -> None:
        assert await _ids(api, online="false") == ["c-june"]
        assert sorted(await _ids(api, online="true")) == ["c-july", "c-may", "c-past"]
        # level is the training's: a TrainingMaterial has one too
        assert sorted(await _ids(api, level="advanced")) == ["c-july", "material"]
        found = await _ids(api, level=["beginner", "intermediate"], online="true", sort="start")
        assert found == ["c-past", "c-may"]

    async def test_start_sort_puts_records_without_a_course_last_and_pages(
        self, api: httpx.AsyncClient, courses: None
    ) -> None:
        seen: list[str] = []
        params: dict[str, Any] = {"sort": "start", "limit": 2}
        for _ in range(10):
            body = (await api.get("/api/v1/search", params=params)).json()
            seen += [i["id"] for i in body["items"]]
            if not body.get("next_cursor"):
                break
            params["cursor"] = body["next_cursor"]
        assert seen[:4] == ["c-past", "c-may", "c-june", "c-july"]
        assert sorted(seen[4:]) == ["material", "mouse-atlas"]

    async def test_hit_carries_the_course_summary(
        self, api: httpx.AsyncClient, courses: None
    ) -> None:
        body = (await api.get("/api/v1/search", params={"starts_from": "2030-06-01"})).json()
        by_id = {i["id"]: i for i in body["items"]}
        # the dates as the stored record holds them (a date reads as midnight)
        assert by_id["c-june"]["course"] == {
            "start_date": "2030-06-10T00:00:00",
            "end_date": "2030-06-12T00:00:00",
            "online": False,
            "location": "Espoo",
            "country": "FI",
            "level": "beginner",
            # the topics with EDAM's label, as a course listing names them
            "topics": [{"uri": "http://edamontology.org/topic_0121", "label": "Proteomics"}],
        }
        assert by_id["c-july"]["course"]["online"] is True
        plain = (await api.get("/api/v1/search", params={"type": "Dataset"})).json()
        assert "course" not in plain["items"][0]

    async def test_bad_values_name_the_parameter(
        self, api: httpx.AsyncClient, courses: None
    ) -> None:
        for params, name in (
            ({"starts_from": "next week"}, "starts_from"),
            ({"online": "maybe"}, "online"),
            ({"level": "expert"}, "level"),
            ({"sort": "soonest"}, "sort"),
        ):
            response = await api.get("/api/v1/search", params=params)
            assert response.status_code == 422, response.text
            assert response.headers["content-type"].startswith("application/problem+json")
            assert any(name in e["pointer"] for e in response.json()["errors"]), response.text

"""Courses of the three Nodes relative to today, for the training page and its feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.federation.conftest import Federation

TODAY = datetime.now(UTC).date()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def course(local_id: str, title: str, start: str, end: str, **extra: Any) -> dict[str, Any]:
    level = extra.pop("level", "beginner")
    return {
        "id": local_id,
        "type": "CourseInstance",
        "status": "published",
        "title": {"en": title},
        "description": {"en": f"{title}: a hands-on course."},
        "topics": extra.pop("topics", ["topic_0121"]),
        "training": {"level": level},
        "course": {"start_date": start, "end_date": end, **extra},
    }


COURSES = {
    "de": [
        course(
            "de-proteomics",
            "Proteomics, hands-on; with MaxQuant",
            day(10),
            day(12),
            location={"name": "Heidelberg", "country": "DE"},
        ),
        course("de-old", "Last year's course", day(-300), day(-299), online=True),
    ],
    "fi": [
        course(
            "fi-rna",
            "RNA-seq online",
            f"{day(3)}T08:00:00Z",
            f"{day(3)}T15:30:00Z",
            online=True,
            level="advanced",
            topics=["topic_3170"],
        ),
    ],
    "pt": [
        course(
            "pt-genomes",
            "Genómica de populações para principiantes com exemplos práticos e muitos acentos",
            day(40),
            day(44),
            location={"name": "Oeiras", "country": "PT"},
            online=True,
        ),
    ],
}


async def seed_courses(federation: Federation) -> None:
    for node, bodies in COURSES.items():
        await federation.publish(node, *bodies)

"""Sample records for the publication tests: the bio.tools entries vendored in data/biotools
(as Software records) and hand-written Dataset, TrainingMaterial and CourseInstance records
covering every access level, plus a writer that stores them as the records service does."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import orjson
from converge_metadata.models import Record
from converge_metadata.records.schemas import RecordCreate
from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

DATA = Path(__file__).resolve().parents[3] / "data"
BASE_TIME = datetime(2024, 3, 1, 12, 0, 0, tzinfo=UTC)


def _spdx(value: str | None) -> str | None:
    if not value or value in ("Proprietary", "Other", "Not licensed", "Unlicensed", "Freeware"):
        return None
    return value


def biotools_records(limit: int | None = None) -> list[RecordCreate]:
    """bio.tools entries as Software records (the fields the publication formats use)."""
    records = []
    for path in sorted((DATA / "biotools" / "data").glob("*/*.biotools.json"))[:limit]:
        tool = json.loads(path.read_text())
        operations = [
            {"uri": op["uri"], "label": op.get("term")}
            for fn in tool.get("function", [])
            for op in fn.get("operation", [])
        ]
        creators = [
            {
                "name": c["name"],
                "type": "Organization" if c.get("typeEntity") != "Person" else "Person",
            }
            for c in tool.get("credit", [])
            if c.get("name") and c.get("typeEntity") in ("Person", "Institute", "Consortium")
        ][:5]
        pubs = [{"doi": p["doi"]} for p in tool.get("publication", []) if p.get("doi")][:3]
        doc: dict[str, Any] = {
            "id": tool["biotoolsID"].replace(" ", "_")[:100],
            "type": "Software",
            "status": "published",
            "title": {"en": tool["name"]},
            "description": {"en": tool["description"]} if tool.get("description") else {},
            "topics": [{"uri": t["uri"], "label": t.get("term")} for t in tool.get("topic", [])],
            "license": _spdx(tool.get("license")),
            "creators": creators,
            "landing_page": tool.get("homepage"),
            "publications": pubs,
            "software": {"operations": operations[:10], "biotools_id": tool["biotoolsID"]},
        }
        try:
            records.append(RecordCreate.model_validate(doc))
        except ValueError:
            continue
    return records


def hand_written() -> list[RecordCreate]:
    duo = [{"uri": "http://purl.obolibrary.org/obo/DUO_0000042", "label": "general research use"}]
    docs: list[dict[str, Any]] = [
        {
            "id": "mouse-atlas",
            "type": "Dataset",
            "status": "published",
            "title": {"en": "Mouse brain atlas", "de": "Mausgehirnatlas"},
            "description": {"en": "Single-cell RNA-seq of the adult mouse brain & <cortex>."},
            "identifiers": [{"scheme": "doi", "value": "10.5281/zenodo.1234567"}],
            "keywords": ["scRNA-seq", "brain"],
            "topics": [{"uri": "http://edamontology.org/topic_3308", "label": "Transcriptomics"}],
            "license": "CC-BY-4.0",
            "languages": ["en"],
            "creators": [{"name": "Josiah Carberry", "orcid": "0000-0002-1825-0097"}],
            "publisher": {"name": "ELIXIR Germany", "ror": "https://ror.org/04ekk4s65"},
            "issued": "2023-05-02",
            "publications": [{"doi": "10.1000/xyz123", "title": "The atlas"}],
            "funding": [{"funder": "DFG", "award_number": "123"}],
            "dataset": {
                "organisms": [
                    {
                        "uri": "http://purl.obolibrary.org/obo/NCBITaxon_10090",
                        "label": "Mus musculus",
                    }
                ],
                "distributions": [
                    {
                        "title": "Count matrix",
                        "download_url": "https://example.org/atlas.h5ad",
                        "media_type": "application/x-hdf5",
                        "format": {"uri": "http://edamontology.org/format_3590", "label": "HDF5"},
                        "byte_size": 1048576,
                        "checksum": {"algorithm": "sha256", "value": "ab" * 32},
                    }
                ],
            },
        },
        {
            "id": "cohort-genomes",
            "type": "Dataset",
            "status": "published",
            "title": {"en": "Cohort genomes"},
            "description": {"en": "Whole genomes of a national cohort, controlled access."},
            "topics": [{"uri": "http://edamontology.org/topic_0622", "label": "Genomics"}],
            "license": "CC-BY-4.0",
            "creators": [{"name": "National Genome Centre", "type": "Organization"}],
            "issued": "2022-01-10",
            "access": {
                "level": "controlled",
                "dac": {"name": "Cohort DAC", "email": "dac@example.org"},
                "data_use": duo,
            },
            "dataset": {
                "organisms": [
                    {
                        "uri": "http://purl.obolibrary.org/obo/NCBITaxon_9606",
                        "label": "Homo sapiens",
                    }
                ]
            },
        },
        {
            "id": "minimal-dataset",
            "type": "Dataset",
            "status": "published",
            "title": {"en": "A minimal dataset"},
        },
        {
            "id": "rdm-training",
            "type": "TrainingMaterial",
            "status": "published",
            "title": {"en": "Research data management basics"},
            "description": {"en": "Slides and exercises on FAIR data management."},
            "keywords": ["FAIR", "RDM"],
            "topics": [{"uri": "http://edamontology.org/topic_3071", "label": "Data management"}],
            "license": "CC-BY-4.0",
            "creators": [{"name": "Ada Lovelace"}],
            "training": {
                "audience": ["PhD students"],
                "level": "beginner",
                "learning_outcomes": ["Write a data management plan"],
            },
        },
        {
            "id": "galaxy-course-2024",
            "type": "CourseInstance",
            "status": "published",
            "title": {"en": "Galaxy for beginners 2024"},
            "description": {"en": "A two-day hands-on Galaxy course."},
            "keywords": ["Galaxy"],
            "topics": [{"uri": "http://edamontology.org/topic_0091", "label": "Bioinformatics"}],
            "training": {"level": "beginner"},
            "course": {
                "start_date": "2024-06-10",
                "end_date": "2024-06-11",
                "location": {"name": "Freiburg", "country": "DE"},
                "capacity": 30,
            },
        },
        {
            "id": "future-embargo",
            "type": "Dataset",
            "status": "published",
            "title": {"en": "Under embargo"},
            "access": {"level": "embargoed", "embargo_until": "2999-01-01"},
        },
        {
            "id": "ended-embargo",
            "type": "Dataset",
            "status": "published",
            "title": {"en": "Embargo ended"},
            "access": {"level": "embargoed", "embargo_until": "2024-02-01"},
        },
        {"id": "a-draft", "type": "Dataset", "title": {"en": "Still a draft"}},
        {
            "id": "was-deleted",
            "type": "Software",
            "status": "published",
            "title": {"en": "Retired tool"},
        },
    ]
    return [RecordCreate.model_validate(d) for d in docs]


def _datestamp(record: RecordCreate, modified_at: datetime) -> datetime:
    until = record.access.embargo_until
    if record.access.level == "embargoed" and until is not None:
        return max(modified_at, datetime.combine(until, time.min, tzinfo=UTC))
    return modified_at


def record_row(record: RecordCreate, *, modified_at: datetime) -> dict[str, Any]:
    """The ``records`` row the records service stores for ``record``."""
    doc = record.model_dump(mode="json", exclude_none=True, exclude_defaults=True, exclude={"id"})
    doc["type"] = record.type
    doc["title"] = dict(record.title)
    published = record.status == "published"
    return {
        "local_id": record.id,
        "type": record.type,
        "status": record.status,
        "access_level": record.access.level,
        "embargo_until": record.access.embargo_until,
        "sort_title": next(iter(record.title.values()))[:200],
        "license": record.license,
        "issued_year": record.issued.year if isinstance(record.issued, date) else None,
        "document": doc,
        "content_hash": hashlib.sha256(orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)).hexdigest(),
        "version": 1,
        "created_at": modified_at,
        "modified_at": modified_at,
        "published_at": modified_at if published else None,
        "deleted_at": None,
        "datestamp": _datestamp(record, modified_at),
        "created_by": "importer",
        "modified_by": "importer",
    }


async def store(
    session: AsyncSession, records: list[RecordCreate], *, start: datetime = BASE_TIME
) -> None:
    rows = [record_row(r, modified_at=start + timedelta(seconds=i)) for i, r in enumerate(records)]
    for chunk in range(0, len(rows), 500):
        await session.execute(insert(Record), rows[chunk : chunk + 500])


async def delete_record(session: AsyncSession, local_id: str, *, at: datetime) -> None:
    """A tombstone, as the records service leaves it."""
    await session.execute(
        update(Record)
        .where(Record.local_id == local_id)
        .values(deleted_at=at, modified_at=at, datestamp=at, version=Record.version + 1)
    )


async def touch(session: AsyncSession, local_id: str, *, at: datetime) -> None:
    """A change to a record's content: new version, new datestamp."""
    await session.execute(
        update(Record)
        .where(Record.local_id == local_id)
        .values(modified_at=at, datestamp=at, version=Record.version + 1)
    )


def all_samples() -> list[RecordCreate]:
    return hand_written() + biotools_records()

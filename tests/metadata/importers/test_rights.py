"""Licences as the sample sources give them (data/biotools, data/datacite, data/bioschemas,
data/rdmkit): each becomes an SPDX id or a rights statement; no record is rejected or loses
what its source said about rights."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from converge_common.db import Database
from converge_metadata.importers.samples import COUNTRIES, national_resources
from converge_metadata.importers.schemas import ImportFormat, ImportReport
from converge_metadata.importers.service import import_sources
from converge_metadata.vocab import Vocabularies
from lxml import etree
from sqlalchemy import text

from tests.metadata.importers.conftest import (
    BIOSCHEMAS,
    BIOTOOLS,
    BROKEN_BIOSCHEMAS,
    DATA,
    DATACITE,
)

_NOT_LICENCES = {"Proprietary", "Other", "Freeware", "Not licensed"}


async def _import(
    db: Database, vocab: Vocabularies, fmt: ImportFormat, paths: Sequence[Path]
) -> ImportReport:
    with ExitStack() as stack:
        sources = [(str(p.relative_to(DATA)), stack.enter_context(p.open("rb"))) for p in paths]
        return await import_sources(db, sources, fmt=fmt, vocab=vocab, actor="test")


async def _documents(db: Database) -> dict[str, dict[str, Any]]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(text("SELECT local_id, license, document FROM records"))
        out = {}
        for local_id, licence, document in rows:
            doc = json.loads(document) if isinstance(document, str) else document
            assert doc.get("license") == licence  # the column follows the document
            out[local_id] = doc
        return out


def _raw_licences() -> list[str]:
    """Every licence string of the sample sources, as written there."""
    values = []
    for path in BIOTOOLS:
        if isinstance(value := json.loads(path.read_bytes()).get("license"), str):
            values.append(value)
    for path in DATACITE:
        for element in etree.parse(str(path)).iter("{*}rights"):
            values += [v for v in (element.get("rightsIdentifier"), element.text) if v]
    for path in BIOSCHEMAS:
        if str(path.relative_to(DATA / "bioschemas")) in BROKEN_BIOSCHEMAS:
            continue
        found = json.loads(path.read_bytes())
        for node in found if isinstance(found, list) else [found]:
            if isinstance(node, dict) and isinstance(value := node.get("license"), str):
                values.append(value)
    return values


class TestBiotools:
    async def test_every_licence_is_kept(self, db: Database, vocab: Vocabularies) -> None:
        report = await _import(db, vocab, ImportFormat.biotools, BIOTOOLS)
        assert report.rejected == []
        documents = await _documents(db)
        for path in BIOTOOLS:
            tool = json.loads(path.read_bytes())
            if not (raw := tool.get("license")):
                continue
            doc = documents[tool["biotoolsID"]]
            if raw in _NOT_LICENCES:
                assert "license" not in doc
                assert doc["rights"] == [{"text": raw}]
            else:
                assert doc["license"].lower() == raw.lower(), raw
                assert "rights" not in doc


class TestDatacite:
    async def test_rights_statements_with_uri_and_language(
        self, db: Database, vocab: Vocabularies
    ) -> None:
        report = await _import(db, vocab, ImportFormat.datacite, DATACITE)
        assert report.rejected == []
        documents = list((await _documents(db)).values())
        # every example with a rightsList keeps it: as its licence or as rights statements
        with_rights = [
            p for p in DATACITE if next(etree.parse(str(p)).iter("{*}rightsList"), None) is not None
        ]
        kept = [d for d in documents if d.get("license") or d.get("rights")]
        assert len(kept) == len(with_rights) - 1  # two examples describe one DOI
        terms = [d for d in documents if d.get("rights") and "license" not in d]
        statements = [s for d in terms for s in d["rights"]]
        assert {
            "text": "Terms of Use and Access to ADS Resources",
            "uri": "https://archaeologydataservice.ac.uk/advice/termsOfUseAndAccess",
            "language": "en",
        } in statements
        # a rightsURI that is no http(s) URL is kept as text; the language stays
        assert {"text": "License granted for private use", "language": "eo"} in statements
        # "CC0 1.0" as rightsIdentifier is CC0-1.0
        assert sum(d.get("license") == "CC0-1.0" for d in documents) >= 2


class TestJsonLines:
    async def test_no_record_is_rejected_for_its_licence(
        self, db: Database, vocab: Vocabularies
    ) -> None:
        """The sources' licence strings written into JSON Lines records as they are, with
        each Node's RDMkit national resources (which name no licence)."""
        raw = _raw_licences()
        assert {"Proprietary", "CC0 1.0", "Creative Commons Attribution-NoDerivs"} <= set(raw)
        records: list[dict[str, Any]] = [
            {"id": f"lic-{i}", "type": "Dataset", "title": {"en": f"L{i}"}, "license": value}
            for i, value in enumerate(raw)
        ]
        for country in COUNTRIES:
            records += national_resources(DATA, country)
        body = io.BytesIO(b"".join(json.dumps(r).encode() + b"\n" for r in records))
        report = await import_sources(
            db, [("corpus", body)], fmt=ImportFormat.jsonl, vocab=vocab, actor="test"
        )
        assert report.rejected == []
        assert report.imported == len(records)
        documents = await _documents(db)
        for index, value in enumerate(raw):
            doc = documents[f"lic-{index}"]
            assert ("license" in doc) != ("rights" in doc), value
            if "rights" in doc:
                assert doc["rights"] in ([{"text": value}], [{"uri": value}])
        assert documents[f"lic-{raw.index('CC0 1.0')}"]["license"] == "CC0-1.0"

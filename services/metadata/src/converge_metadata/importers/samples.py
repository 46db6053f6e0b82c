"""This Node's share of the sample content in ``data/``, for the demo federation.

The content is split between the demo's Nodes deterministically, so that every Node seeds a
different part and seeding again changes nothing:

- bio.tools tools go to the Node whose country is among the tool's ``elixirNode`` values (or
  named in its credits); the others are spread by a stable hash of the tool id;
- DataCite examples and the valid Bioschemas examples are spread by a hash of the file name;
- the reference genome records (``reference-genomes/reference-genomes.jsonl``, datasets of
  organisms across the tree of life, so that the organism facet has values) are spread by a
  hash of the record id;
- each Node also gets its country's RDMkit national resources (front matter of
  ``rdmkit/pages/national_resources/<cc>_resources.md``): training links as TrainingMaterial,
  data archives and databases as Dataset, other services as Software.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import yaml

from converge_metadata.importers.schemas import ImportFormat
from converge_metadata.importers.service import Source

__all__ = ["COUNTRIES", "national_resources", "owner_of", "sample_sources"]

COUNTRIES = {
    "be": "Belgium", "ch": "Switzerland", "cy": "Cyprus", "cz": "Czech Republic",
    "de": "Germany", "dk": "Denmark", "ee": "Estonia", "es": "Spain", "fi": "Finland",
    "fr": "France", "gr": "Greece", "hu": "Hungary", "ie": "Ireland", "il": "Israel",
    "it": "Italy", "lu": "Luxembourg", "nl": "Netherlands", "no": "Norway", "pt": "Portugal",
    "se": "Sweden", "si": "Slovenia", "uk": "UK",
}  # fmt: skip
_BIOSCHEMAS_DIRS = ("Dataset", "ComputationalTool", "ComputationalWorkflow")
_DATA_WORDS = re.compile(r"\b(archive|database|data ?bank|biobank|repository|data portal)\b", re.I)
_SLUG = re.compile(r"[^a-z0-9]+")


def _bucket(key: str, nodes: Sequence[str]) -> str:
    digest = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)
    return sorted(nodes)[digest % len(nodes)]


def owner_of(tool: dict[str, Any], nodes: Sequence[str]) -> str:
    """The Node a bio.tools tool belongs to in the demo."""
    countries = {COUNTRIES.get(n): n for n in nodes if n in COUNTRIES}
    for value in tool.get("elixirNode") or []:
        if value in countries:
            return countries[value]
    credits = " ".join(
        str(c.get("name", "")) for c in tool.get("credit") or [] if isinstance(c, dict)
    )
    for country, node in countries.items():
        if country and f"ELIXIR {country}" in credits:
            return node
    return _bucket(f"biotools:{tool.get('biotoolsID')}", nodes)


def _slug(value: str) -> str:
    return _SLUG.sub("-", value.lower()).strip("-")[:60] or "resource"


def _resource(cc: str, entry: dict[str, Any], kind: str) -> dict[str, Any] | None:
    name, url = str(entry.get("name") or "").strip(), str(entry.get("url") or "").strip()
    if not name or not url.startswith(("http://", "https://")):
        return None
    if kind != "TrainingMaterial":
        text = f"{name} {entry.get('description') or ''}"
        kind = "Dataset" if _DATA_WORDS.search(text) else "Software"
    tasks = (entry.get("related_pages") or {}).get("Your_tasks") or []
    record: dict[str, Any] = {
        "id": f"rdmkit-{cc}-{_slug(name)}",
        "type": kind,
        "status": "published",
        "title": {"en": name},
        "identifiers": [{"scheme": "url", "value": url}],
        "keywords": ["national resource", COUNTRIES.get(cc, cc.upper()), *map(str, tasks)],
        "landing_page": url,
    }
    if description := str(entry.get("description") or "").strip():
        record["description"] = {"en": description}
    return record


def national_resources(data_dir: Path, country: str) -> list[dict[str, Any]]:
    """Records for one country's RDMkit national resources page (empty if there is none)."""
    path = data_dir / "rdmkit" / "pages" / "national_resources" / f"{country}_resources.md"
    if not path.is_file():
        return []
    parts = path.read_text(encoding="utf-8").split("---", 2)
    front = yaml.safe_load(parts[1]) if len(parts) == 3 else None
    if not isinstance(front, dict):
        return []
    records: dict[str, dict[str, Any]] = {}
    for key, kind in (("training", "TrainingMaterial"), ("national_resources", "")):
        for entry in front.get(key) or []:
            if isinstance(entry, dict) and (record := _resource(country, entry, kind)):
                records.setdefault(record["id"], record)
    return list(records.values())


def _biotools(data_dir: Path, node: str, nodes: Sequence[str]) -> list[Path]:
    out = []
    for path in sorted((data_dir / "biotools" / "data").glob("*/*.biotools.json")):
        if owner_of(json.loads(path.read_bytes()), nodes) == node:
            out.append(path)
    return out


def _by_hash(paths: list[Path], node: str, nodes: Sequence[str]) -> list[Path]:
    return [p for p in paths if _bucket(f"file:{p.name}:{p.parent.name}", nodes) == node]


def _reference_genomes(data_dir: Path, node: str, nodes: Sequence[str]) -> list[dict[str, Any]]:
    path = data_dir / "reference-genomes" / "reference-genomes.jsonl"
    if not path.is_file():
        return []
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [r for r in records if _bucket(f"genome:{r['id']}", nodes) == node]


def sample_sources(
    data_dir: Path, *, node: str, nodes: Sequence[str], stack: ExitStack
) -> list[tuple[ImportFormat, Source]]:
    """The open inputs (format, (name, stream)) of ``node``'s share of the sample content."""
    nodes = sorted({*nodes, node})
    datacite = sorted((data_dir / "datacite" / "kernel-4" / "example").glob("*.xml"))
    bioschemas = [
        p
        for d in _BIOSCHEMAS_DIRS
        for p in sorted((data_dir / "bioschemas" / d).glob("examples/*/*.json*"))
    ]
    files = [
        *((ImportFormat.biotools, p) for p in _biotools(data_dir, node, nodes)),
        *((ImportFormat.datacite, p) for p in _by_hash(datacite, node, nodes)),
        *((ImportFormat.bioschemas, p) for p in _by_hash(bioschemas, node, nodes)),
    ]
    out: list[tuple[ImportFormat, Source]] = [
        (fmt, (str(path), stack.enter_context(path.open("rb")))) for fmt, path in files
    ]
    records = [*_reference_genomes(data_dir, node, nodes), *national_resources(data_dir, node)]
    lines = b"".join(json.dumps(r).encode() + b"\n" for r in records)
    if lines:
        out.append((ImportFormat.jsonl, (f"samples/{node}.jsonl", io.BytesIO(lines))))
    return out

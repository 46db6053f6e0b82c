"""Deterministic corpora of realistic catalogue records for the metadata benchmarks.

Built from the real vocabularies and records in ``data/``: EDAM topics, operations and formats
(with their labels and definitions as text), NCBI taxa of the shipped subset, SPDX licences,
bio.tools tool names, DUO terms. The same ``--size`` and ``--seed`` always give the same file.

    uv run python -m bench.metadata_corpus --size 100000 --output var/bench/corpus-100k.jsonl
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import orjson
from converge_metadata.vocab import Vocabularies, default_data_dir, load_vocabularies

LICENCES = [
    "CC-BY-4.0",
    "CC0-1.0",
    "MIT",
    "Apache-2.0",
    "GPL-3.0-only",
    "CC-BY-SA-4.0",
    "BSD-3-Clause",
]
LANGUAGES = ["de", "fi", "pt", "nl", "fr", "es", "it", "sv"]
TYPES = ["Dataset"] * 5 + ["Software"] * 3 + ["TrainingMaterial", "CourseInstance"]
GIVEN = ["Anna", "Jonas", "Maria", "Mikko", "Sofia", "Pedro", "Eva", "Lars", "Inês", "Tomás"]
CITIES = ["Helsinki", "Lisbon", "Utrecht", "Heidelberg"]
FAMILY = ["Virtanen", "Müller", "Silva", "de Vries", "Korhonen", "Schmidt", "Santos", "Jansen"]


class Pools:
    def __init__(self, vocab: Vocabularies, data_dir: Path) -> None:
        live = [t for t in vocab.edam.terms.values() if not t.obsolete]
        self.topics = sorted((t for t in live if t.branch == "topic"), key=lambda t: t.uri)
        self.operations = sorted((t for t in live if t.branch == "operation"), key=lambda t: t.uri)
        self.formats = sorted((t for t in live if t.branch == "format"), key=lambda t: t.uri)
        self.taxa = sorted(t.tax_id for t in vocab.taxonomy.taxa.values() if t.rank == "species")
        # a few model organisms dominate real catalogues
        self.common_taxa = [9606, 10090, 10116, 9913, 9823]
        self.words = sorted(
            {w.lower() for t in live for w in t.label.split() if len(w) > 3 and w.isalpha()}
        )
        with (data_dir / "biotools" / "index.tsv").open(encoding="utf-8") as handle:
            self.tools = [row["biotoolsID"] for row in csv.DictReader(handle, delimiter="\t")]
        self.duo = sorted(vocab.duo.terms)


def _orcid(rng: random.Random) -> str:
    digits = [rng.randrange(10) for _ in range(15)]
    total = 0
    for d in digits:
        total = (total + d) * 2
    check = (12 - total % 11) % 11
    raw = "".join(map(str, digits)) + ("X" if check == 10 else str(check))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def _people(rng: random.Random, n: int) -> list[dict[str, Any]]:
    return [
        {
            "name": f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
            "orcid": _orcid(rng),
            "affiliation": "University of " + rng.choice(CITIES),
        }
        for _ in range(n)
    ]


def _parts(kind: str, rng: random.Random, pools: Pools, index: int) -> dict[str, Any]:
    if kind == "Dataset":
        taxa = [rng.choice(pools.common_taxa) if rng.random() < 0.6 else rng.choice(pools.taxa)]
        dist = {
            "download_url": f"https://data.example.org/{index}.tsv.gz",
            "media_type": "text/tab-separated-values",
            "byte_size": rng.randrange(10**9),
            "format": rng.choice(pools.formats).uri,
        }
        return {"dataset": {"organisms": [str(t) for t in taxa], "distributions": [dist]}}
    if kind == "Software":
        return {
            "software": {
                "operations": [t.uri for t in rng.sample(pools.operations, 2)],
                "input_formats": [rng.choice(pools.formats).uri],
                "code_repository": f"https://github.com/example/tool{index}",
            }
        }
    training = {
        "audience": ["researchers"],
        "level": rng.choice(["beginner", "intermediate"]),
        "learning_outcomes": ["apply " + rng.choice(pools.words)],
    }
    if kind == "TrainingMaterial":
        return {"training": training}
    start = date(2019, 1, 1) + timedelta(days=rng.randrange(2000))
    return {
        "training": training,
        "course": {
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=3)).isoformat(),
            "online": rng.random() < 0.5,
            "location": {"name": "ELIXIR Node", "country": "FI"},
            "capacity": 30,
            "participants": rng.randrange(31),
        },
    }


def record(index: int, rng: random.Random, pools: Pools) -> dict[str, Any]:
    kind = rng.choice(TYPES)
    topics = rng.sample(pools.topics, rng.randint(1, 3))
    words = rng.sample(pools.words, 6)
    tool = pools.tools[index % len(pools.tools)]
    title = f"{tool} {topics[0].label} {words[0]} {kind.lower()} {index}"
    lang = rng.choice(LANGUAGES)
    body: dict[str, Any] = {
        "id": f"rec-{index:07d}",
        "type": kind,
        "status": "published",
        "title": {"en": title, lang: f"{title} ({lang})"},
        "description": {
            "en": f"{topics[0].label}: {' '.join(words)}. " + " ".join(rng.sample(pools.words, 20))
        },
        "keywords": words[:3],
        "topics": [t.uri for t in topics],
        "license": rng.choice(LICENCES),
        "languages": ["en", lang],
        "creators": _people(rng, rng.randint(1, 3)),
        "issued": (date(2010, 1, 1) + timedelta(days=rng.randrange(5400))).isoformat(),
        "identifiers": [{"scheme": "doi", "value": f"10.5281/zenodo.{1000000 + index}"}],
        "landing_page": f"https://catalogue.example.org/{index}",
    }
    roll = rng.random()
    if roll < 0.05:
        future = date(2030, 1, 1) + timedelta(days=rng.randrange(365))
        body["access"] = {"level": "embargoed", "embargo_until": future.isoformat()}
    elif roll < 0.15 and kind == "Dataset":
        body["access"] = {
            "level": "controlled",
            "dac": {"name": "Node DAC", "email": "dac@example.org"},
            "data_use": [rng.choice(pools.duo)],
        }
    body.update(_parts(kind, rng, pools, index))
    return body


def generate(
    size: int, *, seed: int = 42, data_dir: Path | None = None
) -> Iterator[dict[str, Any]]:
    data_dir = data_dir or default_data_dir()
    pools = Pools(load_vocabularies(data_dir), data_dir)
    rng = random.Random(seed)
    for index in range(size):
        yield record(index, rng, pools)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args(argv)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("wb") as out:
        for body in generate(args.size, seed=args.seed):
            out.write(orjson.dumps(body) + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

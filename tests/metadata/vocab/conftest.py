"""A small taxdump in NCBI's format: fabricated taxa with ids far above NCBI's, so that none is
in the shipped subsets."""

from __future__ import annotations

from pathlib import Path

import pytest

FAKE_ID = 3_000_000_001

NAMES = [
    # tax_id, name_txt, unique name, name class: NCBI's columns
    (1, "root", "", "scientific name"),
    (3_000_000_000, "Fabricatia", "", "scientific name"),
    (FAKE_ID, "Fabricatia exemplaris", "", "scientific name"),
    (FAKE_ID, "testbug", "", "genbank common name"),
    (FAKE_ID, "Fabricia exemplaris", "", "synonym"),
    (FAKE_ID, "Fabricatia exemplaris Doe, 2026", "", "authority"),
    (3_000_000_002, "Fabricatia rara", "", "scientific name"),
]
NODES = [
    (1, 1, "no rank"),
    (3_000_000_000, 1, "genus"),
    (FAKE_ID, 3_000_000_000, "species"),
    (3_000_000_002, 3_000_000_000, "species"),
]


def dmp(rows: list[tuple[object, ...]]) -> str:
    return "".join("\t|\t".join(str(f) for f in row) + "\t|\n" for row in rows)


def nodes_dmp() -> str:
    # nodes.dmp has 13 columns; the service reads the first three
    return dmp([(*row, "", 0, 0, 1, 0, 1, 0, 0, 0, "") for row in NODES])


@pytest.fixture
def taxdump(tmp_path: Path) -> tuple[Path, Path]:
    names, nodes = tmp_path / "names.dmp", tmp_path / "nodes.dmp"
    names.write_text(dmp(NAMES), encoding="utf-8")
    nodes.write_text(nodes_dmp(), encoding="utf-8")
    return names, nodes

"""The ``vocab`` command's arguments, kept apart from its work so that ``--help`` imports
nothing heavy."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["configure_vocab"]


def configure_vocab(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="vocab_command", required=True)
    load = sub.add_parser(
        "load-taxonomy",
        help="load NCBI's full taxonomy (taxdump) into CONVERGE_METADATA_TAXONOMY_STORE",
        description="Stream NCBI Taxonomy taxdump files into the store the service reads at "
        "start (default <DATA_DIR>/ncbi-taxonomy.sqlite), then relabel the organisms of "
        "stored records. Restart the service afterwards.",
    )
    load.add_argument(
        "source",
        type=Path,
        metavar="PATH",
        help="names.dmp, or NCBI's taxdump.tar.gz / taxdmp.zip (names.dmp and nodes.dmp)",
    )
    load.add_argument("--nodes", type=Path, metavar="NODES_DMP", help="nodes.dmp (for ranks)")
    load.add_argument(
        "--no-refresh",
        dest="refresh",
        action="store_false",
        help="leave stored records' organism labels as they are",
    )

"""The arguments of ``converge-metadata import`` and ``seed`` (only ``argparse`` here: the
command line's ``--help`` must not import the importers)."""

from __future__ import annotations

import argparse
from pathlib import Path

from converge_metadata.importers.formats import ImportFormat

__all__ = ["BULK_BATCH", "configure_import", "configure_seed"]

# a bulk load commits every 2,000 records: four times fewer rewrites of the index pages a
# batch touches than at the API's 500 (22 s instead of 27 s for 100k records)
BULK_BATCH = 2000


def configure_import(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format", required=True, choices=[*(f.value for f in ImportFormat), "auto"]
    )
    parser.add_argument(
        "files",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="files, or directories whose files (recursively, hidden ones skipped) are read",
    )
    parser.add_argument(
        "--status",
        choices=["draft", "published"],
        default="published",
        help="the status of records mapped from bio.tools, Bioschemas and DataCite (default "
        "published); a JSON Lines record keeps its own status, and one without is a draft",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=BULK_BATCH,
        help=f"records per transaction (default {BULK_BATCH}; the API's batches are "
        "CONVERGE_METADATA_IMPORT_BATCH_SIZE)",
    )
    parser.add_argument("--actor", default="import", help="recorded as the author of versions")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a record is rejected")
    parser.add_argument(
        "--quiet", action="store_true", help="only the counts: no rejected record or warning listed"
    )
    parser.add_argument(
        "--worker",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="prepare records in a worker process while this one stores them (default: when "
        "the machine has two cores or more and the files hold at least 1 MB)",
    )


def configure_seed(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sample-data", type=Path, required=True, metavar="DIR")
    parser.add_argument("--node-id", help="default: the configured Node")
    parser.add_argument(
        "--nodes", default="de,fi,pt", help="the Nodes the sample content is shared between"
    )
    parser.add_argument(
        "--quiet", action="store_true", help="only the counts: no rejected record or warning listed"
    )

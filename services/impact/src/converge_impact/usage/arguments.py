"""The arguments of ``converge-impact usage`` (only ``argparse`` here: the command line's
``--help`` must not import the usage processing)."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["configure_usage"]


def configure_usage(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="usage_action", required=True)
    load = actions.add_parser("load", help="load a log file and recount its months")
    load.add_argument("--format", choices=("clf", "counter"), required=True)
    load.add_argument("file", type=Path)

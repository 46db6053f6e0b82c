"""``converge-metadata``: serve, migrate, openapi, import, seed, vocab.

Every subcommand is registered here. Nothing heavy is imported before a command runs (the app,
the settings and each handler are named as ``"module:attribute"``), so ``--help`` is quick.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from converge_common.cli import run_cli

from converge_metadata.importers.arguments import configure_import, configure_seed
from converge_metadata.vocab.arguments import configure_vocab


def main(argv: Sequence[str] | None = None) -> int:
    return run_cli(
        name="metadata",
        settings="converge_metadata.settings:get_settings",
        app_factory="converge_metadata.app:create_app",
        migrations=Path(__file__).resolve().parent / "migrations",
        argv=argv,
        extra_commands=[
            (
                "import",
                "import records from files or directories into the database",
                configure_import,
                "converge_metadata.importers.commands:run_import",
            ),
            (
                "seed",
                "import this Node's share of the sample data",
                configure_seed,
                "converge_metadata.importers.commands:run_seed",
            ),
            (
                "vocab",
                "load vocabularies (the full NCBI Taxonomy)",
                configure_vocab,
                "converge_metadata.vocab.commands:run_vocab",
            ),
        ],
    )


if __name__ == "__main__":
    sys.exit(main())

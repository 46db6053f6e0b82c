"""``converge-metadata``: serve, migrate, openapi, import, seed, vocab."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from converge_common.cli import run_cli

from converge_metadata.app import MIGRATIONS, create_app
from converge_metadata.importers.commands import (
    configure_import,
    configure_seed,
    run_import,
    run_seed,
)
from converge_metadata.settings import get_settings
from converge_metadata.vocab.commands import configure_vocab, run_vocab


def main(argv: Sequence[str] | None = None) -> int:
    return run_cli(
        name="metadata",
        settings=get_settings,
        app_factory=create_app,
        migrations=MIGRATIONS,
        argv=argv,
        extra_commands=[
            ("import", "import records from files into the database", configure_import, run_import),
            ("seed", "import this Node's share of the sample data", configure_seed, run_seed),
            ("vocab", "load vocabularies (the full NCBI Taxonomy)", configure_vocab, run_vocab),
        ],
    )


if __name__ == "__main__":
    sys.exit(main())

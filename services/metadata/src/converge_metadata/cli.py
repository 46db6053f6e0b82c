"""``converge-metadata``: serve, migrate, openapi."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from converge_common.cli import run_cli

from converge_metadata.app import MIGRATIONS, create_app
from converge_metadata.settings import get_settings


def main(argv: Sequence[str] | None = None) -> int:
    return run_cli(
        name="metadata",
        settings=get_settings,
        app_factory=create_app,
        migrations=MIGRATIONS,
        argv=argv,
    )


if __name__ == "__main__":
    sys.exit(main())

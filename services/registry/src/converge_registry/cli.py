"""``converge-registry``: serve, migrate, openapi.

Every subcommand is registered here. Nothing heavy is imported before a command runs (the app,
the settings and each handler are named as ``"module:attribute"``), so ``--help`` is quick.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from converge_common.cli import run_cli


def main(argv: Sequence[str] | None = None) -> int:
    return run_cli(
        name="registry",
        settings="converge_registry.settings:get_settings",
        app_factory="converge_registry.app:create_app",
        migrations=Path(__file__).resolve().parent / "migrations",
        argv=argv,
    )


if __name__ == "__main__":
    sys.exit(main())

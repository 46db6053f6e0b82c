"""``converge-impact``: serve, migrate, openapi, usage.

Every subcommand is registered here. Nothing heavy is imported before a command runs (the app,
the settings and each handler are named as ``"module:attribute"``), so ``--help`` is quick.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from converge_common.cli import run_cli

from converge_impact.usage.arguments import configure_usage


def main(argv: Sequence[str] | None = None) -> int:
    return run_cli(
        name="impact",
        settings="converge_impact.settings:get_settings",
        app_factory="converge_impact.app:create_app",
        migrations=Path(__file__).resolve().parent / "migrations",
        argv=argv,
        extra_commands=[
            (
                "usage",
                "COUNTER usage: load log files",
                configure_usage,
                "converge_impact.usage.commands:run_usage",
            ),
        ],
    )


if __name__ == "__main__":
    sys.exit(main())

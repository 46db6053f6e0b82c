"""``converge-impact``: serve, migrate, openapi."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from converge_common.cli import run_cli

from converge_impact.app import MIGRATIONS, create_app
from converge_impact.settings import get_settings
from converge_impact.usage.commands import USAGE_COMMAND


def main(argv: Sequence[str] | None = None) -> int:
    return run_cli(
        name="impact",
        settings=get_settings,
        app_factory=create_app,
        migrations=MIGRATIONS,
        argv=argv,
        extra_commands=[USAGE_COMMAND],
    )


if __name__ == "__main__":
    sys.exit(main())

"""``converge-gateway``: serve, openapi.

Every subcommand is registered here. Nothing heavy is imported before a command runs (the app,
the settings and each handler are named as ``"module:attribute"``), so ``--help`` is quick.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from converge_common.cli import run_cli


def main(argv: Sequence[str] | None = None) -> int:
    return run_cli(
        name="gateway",
        settings="converge_gateway.settings:get_settings",
        app_factory="converge_gateway.app:create_app",
        migrations=None,
        argv=argv,
    )


if __name__ == "__main__":
    sys.exit(main())

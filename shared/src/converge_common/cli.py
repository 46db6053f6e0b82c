"""The command line every service shares: ``serve``, ``migrate``, ``openapi``.

A service adds its own subcommands (the metadata service's ``import``) through
``extra_commands``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from fastapi import FastAPI

from converge_common.db import upgrade_database
from converge_common.settings import BaseServiceSettings

__all__ = ["Command", "openapi_document", "run_cli"]

Command = tuple[
    str, str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]
]


def openapi_document(app: FastAPI) -> str:
    return json.dumps(app.openapi(), indent=2, sort_keys=True) + "\n"


def run_cli(
    *,
    name: str,
    settings: Callable[[], BaseServiceSettings],
    app_factory: Callable[[], FastAPI],
    migrations: Path | None,
    argv: Sequence[str] | None = None,
    extra_commands: Sequence[Command] = (),
) -> int:
    parser = argparse.ArgumentParser(prog=f"converge-{name}")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the service with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)

    if migrations is not None:
        migrate = sub.add_parser("migrate", help="upgrade the database to the newest schema")
        migrate.add_argument("--revision", default="head")

    openapi = sub.add_parser("openapi", help="print or write the OpenAPI document")
    openapi.add_argument("--output", type=Path)

    handlers: dict[str, Callable[[argparse.Namespace], int]] = {}
    for command, help_text, configure, handler in extra_commands:
        configure(sub.add_parser(command, help=help_text))
        handlers[command] = handler

    args = parser.parse_args(argv)
    if args.command == "serve":
        import uvicorn

        uvicorn.run(
            f"converge_{name}.app:app",
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_config=None,
            proxy_headers=True,
        )
        return 0
    if args.command == "migrate" and migrations is not None:
        upgrade_database(migrations, settings().database_url, args.revision)
        print(f"converge-{name}: database at {args.revision}", file=sys.stderr)
        return 0
    if args.command == "openapi":
        document = openapi_document(app_factory())
        if args.output:
            args.output.parent.mkdir(parents=True, exist_ok=True)
            args.output.write_text(document)
        else:
            sys.stdout.write(document)
        return 0
    return handlers[args.command](args)

"""The command line every service shares: ``serve``, ``migrate``, ``openapi``.

A service adds its own subcommands (the metadata service's ``import``) through
``extra_commands``, all registered in its ``cli.py``. ``--help`` must answer at once, so this
module and each service's ``cli.py`` import nothing heavy: the application, the settings and a
command's handler are named as ``"module:attribute"`` and imported when a command runs.
Every command takes ``--database-url`` (instead of ``CONVERGE_<SERVICE>_DATABASE_URL``).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["Command", "Handler", "openapi_document", "run_cli"]

# a handler, or where to import it from ("package.module:function")
Handler = Callable[[argparse.Namespace], int] | str
Command = tuple[str, str, Callable[[argparse.ArgumentParser], None], Handler]


def openapi_document(app: FastAPI) -> str:
    return json.dumps(app.openapi(), indent=2, sort_keys=True) + "\n"


def _resolve(target: Any) -> Any:
    if not isinstance(target, str):
        return target
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute)


def run_cli(
    *,
    name: str,
    settings: Callable[[], Any] | str,
    app_factory: Callable[[], FastAPI] | str,
    migrations: Path | None,
    argv: Sequence[str] | None = None,
    extra_commands: Sequence[Command] = (),
) -> int:
    """Parse ``argv`` and run the command; ``settings`` and ``app_factory`` may be named as
    ``"module:attribute"`` so that they are imported only by the commands that use them."""
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

    handlers: dict[str, Handler] = {}
    for command, help_text, configure, handler in extra_commands:
        configure(sub.add_parser(command, help=help_text))
        handlers[command] = handler
    for command_parser in sub.choices.values():
        if command_parser.prog != f"converge-{name} openapi":
            _add_database_url(command_parser, name)

    args = parser.parse_args(argv)
    if getattr(args, "database_url", None):
        # before the settings are first read: every command and the served app see it
        os.environ[f"CONVERGE_{name.upper()}_DATABASE_URL"] = args.database_url
    try:
        return _run(name, args, settings, app_factory, migrations, handlers)
    except _schema_not_current() as exc:
        print(
            f"converge-{name}: {exc}: run `converge-{name} migrate` first "
            f"(or set CONVERGE_{name.upper()}_AUTO_MIGRATE=true)",
            file=sys.stderr,
        )
        return 2


def _add_database_url(parser: argparse.ArgumentParser, name: str) -> None:
    """``--database-url`` on a command and on each of its own subcommands (``usage load``)."""
    parser.add_argument(
        "--database-url",
        metavar="URL",
        # absent stays absent: a subcommand's default must not undo the command's value
        default=argparse.SUPPRESS,
        help=f"the database (default: CONVERGE_{name.upper()}_DATABASE_URL, else the embedded "
        "SQLite file), e.g. postgresql+asyncpg://user:pass@host/db",
    )
    for action in parser._actions:  # argparse offers no public walk over subcommands
        if isinstance(action, argparse._SubParsersAction):
            for nested in action.choices.values():
                _add_database_url(nested, name)


def _schema_not_current() -> type[Exception]:
    from converge_common.db import SchemaNotCurrent

    return SchemaNotCurrent


def _run(
    name: str,
    args: argparse.Namespace,
    settings: Callable[[], Any] | str,
    app_factory: Callable[[], FastAPI] | str,
    migrations: Path | None,
    handlers: dict[str, Handler],
) -> int:
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
        from converge_common.db import upgrade_database

        upgrade_database(migrations, _resolve(settings)().database_url, args.revision)
        print(f"converge-{name}: database at {args.revision}", file=sys.stderr)
        return 0
    if args.command == "openapi":
        document = openapi_document(_resolve(app_factory)())
        if args.output:
            args.output.parent.mkdir(parents=True, exist_ok=True)
            args.output.write_text(document)
        else:
            sys.stdout.write(document)
        return 0
    handler: Callable[[argparse.Namespace], int] = _resolve(handlers[args.command])
    return handler(args)

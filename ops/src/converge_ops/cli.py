"""``converge``: every subcommand is registered here, in ``COMMANDS``.

Each subcommand is a module of :mod:`converge_ops.commands` with two functions:
``configure(parser: argparse.ArgumentParser) -> None`` adds its arguments (and, for a command
with sub-subcommands, its own subparsers), and ``run(args: argparse.Namespace) -> int`` does the
work and returns the exit status. Modules are imported only when their command runs, so
``converge --help`` answers at once.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# (name, one-line help, module under converge_ops.commands)
COMMANDS: list[tuple[str, str, str]] = []


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="converge", description="Operate a CONVERGE federation and its Nodes."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, help_text, module_name in COMMANDS:
        command = sub.add_parser(name, help=help_text, description=help_text)
        module = importlib.import_module(f"converge_ops.commands.{module_name}")
        module.configure(command)
        command.set_defaults(_module=module_name)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    module = importlib.import_module(f"converge_ops.commands.{args._module}")
    status: int = module.run(args)
    return status


if __name__ == "__main__":
    sys.exit(main())

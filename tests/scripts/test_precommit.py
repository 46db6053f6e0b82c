"""The pre-commit hooks run what ``make lint`` runs, so that a commit that passes its hooks
passes CI's lint step too."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _lint_commands() -> set[str]:
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^lint:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe is not None, "the Makefile has no lint target"
    commands = set()
    for line in recipe.group(1).splitlines():
        command = line.strip().removeprefix("$(UV) ")
        commands.add(command.removesuffix(" ."))
    return commands


def _hook_commands() -> set[str]:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    return {hook["entry"].removeprefix("uv ") for hook in hooks}


def test_hooks_run_what_make_lint_runs() -> None:
    assert _lint_commands() == _hook_commands()

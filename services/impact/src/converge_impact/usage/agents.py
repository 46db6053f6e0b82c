"""Who is asking: a robot (excluded), a machine (scripted client) or a person (regular).

Patterns are the COUNTER-Robots list and the COUNTER Research Data machine list, shipped in
``data/`` beside this module and matched case-insensitively with ``re.search``. The Code of
Practice for Research Data says general-purpose agents (curl, python, wget, ...) are machine
access, not robots, so a pattern on both lists counts as machine. Classification is cached per
distinct user agent: a Node sees few of them.
"""

from __future__ import annotations

import json
import re
from enum import IntEnum
from functools import lru_cache
from importlib.resources import files

__all__ = ["Agent", "classify", "machine_patterns", "robot_patterns"]


class Agent(IntEnum):
    REGULAR = 0
    MACHINE = 1
    ROBOT = 2


def _data(name: str) -> str:
    return (files("converge_impact.usage") / "data" / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def machine_patterns() -> tuple[str, ...]:
    lines = (line.strip() for line in _data("COUNTER_machine_list.txt").splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


@lru_cache(maxsize=1)
def robot_patterns() -> tuple[str, ...]:
    entries = json.loads(_data("COUNTER_Robots_list.json"))
    machine = set(machine_patterns())
    return tuple(
        str(e["pattern"]) for e in entries if isinstance(e, dict) and e["pattern"] not in machine
    )


@lru_cache(maxsize=1)
def _compiled() -> tuple[re.Pattern[str], re.Pattern[str]]:
    robots = re.compile("|".join(f"(?:{p})" for p in robot_patterns()), re.IGNORECASE)
    machines = re.compile("|".join(f"(?:{p})" for p in machine_patterns()), re.IGNORECASE)
    return robots, machines


@lru_cache(maxsize=65_536)
def classify(user_agent: str | None) -> Agent:
    """The COUNTER class of a user agent (an empty one is a machine, as counter-processor)."""
    if not user_agent or not user_agent.strip():
        return Agent.MACHINE
    robots, machines = _compiled()
    if robots.search(user_agent):
        return Agent.ROBOT
    if machines.search(user_agent):
        return Agent.MACHINE
    return Agent.REGULAR

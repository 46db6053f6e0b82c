"""A killed ``converge-metadata import`` leaves no process behind: the worker that prepares
batches, and multiprocessing's resource tracker, end with it."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from bench.metadata_corpus import generate

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")

_WAIT_S = 120.0  # bounds on the loops below, never a timing assertion
_STEP_S = 0.1


def _children(pid: int) -> dict[int, str]:
    """Processes whose parent is ``pid``, with their command lines."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        # the command name in parentheses may hold spaces; the parent pid follows it
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found[int(entry.name)] = cmdline
    return found


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting for a parent that does not reap it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _stored(database: Path) -> int:
    try:
        with sqlite3.connect(database, timeout=1) as conn:
            return int(conn.execute("SELECT count(*) FROM records").fetchone()[0])
    except sqlite3.Error:
        return 0


def _large_corpus(path: Path) -> Path:
    """60,000 records (2,000 generated ones under 30 ids each): an import that takes a while."""
    base = list(generate(2000, seed=5))
    with path.open("wb") as out:
        for copy in range(30):
            for body in base:
                out.write(orjson.dumps({**body, "id": f"{body['id']}-{copy}"}) + b"\n")
    return path


def test_sigkill_of_the_command_ends_worker_and_resource_tracker(tmp_path: Path) -> None:
    database = tmp_path / "killed.db"
    env = {
        **os.environ,
        "CONVERGE_METADATA_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "CONVERGE_METADATA_LOG_JSON": "false",
    }
    source = _large_corpus(tmp_path / "large.jsonl")
    command = [sys.executable, "-m", "converge_metadata.cli", "import", "--format", "jsonl"]
    cli = subprocess.Popen(
        [*command, "--worker", "--quiet", str(source)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker: list[int] = []
    tracker: list[int] = []
    try:
        children: dict[int, str] = {}
        for _ in range(int(_WAIT_S / _STEP_S)):
            children = _children(cli.pid)
            # mid-import: the worker runs and batches are being stored
            if any("spawn" in c for c in children.values()) and _stored(database) > 0:
                break
            assert cli.poll() is None, "the import ended before it could be killed"
            time.sleep(_STEP_S)
        worker = [pid for pid, c in children.items() if "multiprocessing.spawn" in c]
        tracker = [pid for pid, c in children.items() if "resource_tracker" in c]
        assert worker, children
        assert tracker, children
        assert _stored(database) < 60_000
        cli.send_signal(signal.SIGKILL)
        cli.wait()
        for _ in range(int(_WAIT_S / _STEP_S)):
            if not any(_running(pid) for pid in worker + tracker):
                break
            time.sleep(_STEP_S)
        left = [pid for pid in worker + tracker if _running(pid)]
        assert left == [], f"still running after the command was killed: {left}"
    finally:
        if cli.poll() is None:
            cli.kill()
            cli.wait()
        for pid in worker + tracker:  # the processes this test started, should the fix fail
            if _running(pid):
                os.kill(pid, signal.SIGKILL)

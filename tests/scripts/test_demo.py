"""``make run``, started and stopped as a person does from a terminal: real processes."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CONVERGE_CHROMIUM", "/usr/bin/chromium")
SHOTS = ROOT / "test-output" / "portal"
DEMO_NODES = ("de", "fi", "pt")
OFFSETS = {"gateway": 0, "registry": 1, "oidc": 900} | {
    f"{kind}-{node}": base + index
    for kind, base in (("metadata", 10), ("impact", 20))
    for index, node in enumerate(DEMO_NODES)
}

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="the demo needs Node.js")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.fixture
def base_port() -> int:
    """A base port at which every port of the demo is free, below the ephemeral ports (from
    32768 on Linux), which outgoing connections take at random."""
    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(10000, 31000, 10)
        if all(_free(base + offset) for offset in OFFSETS.values()):
            return base
    raise AssertionError("no free set of ports found")


@pytest.fixture
def demo_env(base_port: int, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "CONVERGE_DEMO_PORT": str(base_port),
        "CONVERGE_DEMO_DIR": str(tmp_path / "demo"),
    }


def _until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes a test starts, each in a process group of its own; killed if still there."""
    processes: list[subprocess.Popen[bytes]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def _every_node_answers(gateway: str) -> bool:
    try:
        with urllib.request.urlopen(f"{gateway}/api/v1/search?q=protein", timeout=10) as answer:
            nodes = json.loads(answer.read())["nodes"]
    except OSError:
        return False
    return len(nodes) == len(DEMO_NODES) and all(n["status"] == "ok" for n in nodes.values())


def _portal_search_in_the_browser(gateway: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(locale="en-GB")
            page.goto(f"{gateway}/?q=protein")
            assert page.locator("ol.hits > li").count() > 0
            strip = page.locator("section.nodes li").all_inner_texts()
            assert len(strip) == len(DEMO_NODES), strip
            assert all("answered in" in line for line in strip), strip
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "demo-search.png"), full_page=True)
        finally:
            browser.close()


def _busy(base: int) -> list[str]:
    return [name for name, offset in OFFSETS.items() if not _free(base + offset)]


class TestCtrlC:
    def test_a_terminals_ctrl_c_stops_everything(
        self, base_port: int, demo_env: dict[str, str], started: list[subprocess.Popen[bytes]]
    ) -> None:
        # as a terminal: make, uv and the demo in one foreground process group; Ctrl-C sends
        # SIGINT to the group, and uv forwards its own copy to the demo about 0.2 s later
        make = subprocess.Popen(
            ["make", "--no-print-directory", "run"],
            cwd=ROOT,
            env=demo_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        started.append(make)
        assert make.stdout is not None
        for line in make.stdout:
            if b"CONVERGE demo federation is running" in line:
                break
        # at the banner every service answers, all but the provider in the demo's one process
        for name, offset in OFFSETS.items():
            path = "/.well-known/openid-configuration" if name == "oidc" else "/readyz"
            assert _answers(f"http://127.0.0.1:{base_port + offset}{path}"), name
        # and the gateway reaches every Node (the banner waits for its directory to list them)
        search = f"http://127.0.0.1:{base_port}/api/v1/search?limit=1"
        with urllib.request.urlopen(search, timeout=30) as response:
            nodes = json.loads(response.read())["nodes"]
        assert {node: answer["status"] for node, answer in nodes.items()} == dict.fromkeys(
            ("de", "fi", "pt"), "ok"
        )
        recorded = json.loads((Path(demo_env["CONVERGE_DEMO_DIR"]) / "pids.json").read_text())
        assert [e["name"] for e in recorded] == ["demo", "oidc"]
        os.killpg(make.pid, signal.SIGINT)
        time.sleep(0.2)
        os.killpg(make.pid, signal.SIGINT)
        make.wait(timeout=120)
        assert _until(lambda: not _busy(base_port), 30), _busy(base_port)
        assert not (Path(demo_env["CONVERGE_DEMO_DIR"]) / "pids.json").exists()

        # a second run: nothing new to seed or migrate, and it says nothing of either
        again = subprocess.Popen(
            [sys.executable, "-m", "scripts.demo"],
            cwd=ROOT,
            env=demo_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        started.append(again)
        assert again.stdout is not None
        banner = next((x for x in again.stdout if b"demo federation is running" in x), None)
        assert banner is not None, "the second run ended without its banner"
        again.send_signal(signal.SIGINT)
        _, err = again.communicate(timeout=120)
        assert again.returncode == 0, err
        assert b"seeding" not in err
        assert b"loading generated usage" not in err
        assert _until(lambda: not _busy(base_port), 30), _busy(base_port)

    def test_sigint_stops_a_demo_started_in_the_background(
        self, base_port: int, demo_env: dict[str, str], started: list[subprocess.Popen[bytes]]
    ) -> None:
        """Also the one test of the demo's portal: once every Node answers the gateway, its
        search page shows results and the strip names each Node (in Debian's chromium)."""
        # a shell starts a background job with SIGINT ignored
        demo = subprocess.Popen(
            [sys.executable, "-m", "scripts.demo"],
            cwd=ROOT,
            env=demo_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
        )
        started.append(demo)
        assert _until(lambda: _answers(f"http://127.0.0.1:{base_port + 1}/readyz"), 240)
        if shutil.which(CHROMIUM):
            gateway = f"http://127.0.0.1:{base_port}"
            # the seeding of the sample data comes first; then every Node registers
            assert _until(lambda: _every_node_answers(gateway), 600)
            _portal_search_in_the_browser(gateway)
        demo.send_signal(signal.SIGINT)
        assert demo.wait(timeout=120) == 0
        assert _until(lambda: not _busy(base_port), 30), _busy(base_port)


LISTEN = "import socket, sys, time; s = socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1])));"
LISTEN += " s.listen(); time.sleep(600)"


class TestLeftovers:
    def test_a_port_in_use_is_named(
        self, base_port: int, demo_env: dict[str, str], started: list[subprocess.Popen[bytes]]
    ) -> None:
        other = subprocess.Popen(
            [sys.executable, "-c", LISTEN, str(base_port + 1)], start_new_session=True
        )
        started.append(other)
        assert _until(lambda: not _free(base_port + 1), 30)
        done = subprocess.run(
            [sys.executable, "-m", "scripts.demo"],
            cwd=ROOT,
            env=demo_env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 1
        assert f"port {base_port + 1} (registry)" in done.stderr
        assert "another program listens there" in done.stderr
        assert "CONVERGE_DEMO_PORT=" in done.stderr

    def test_an_earlier_run_is_named_and_make_stop_ends_it(
        self, base_port: int, demo_env: dict[str, str], started: list[subprocess.Popen[bytes]]
    ) -> None:
        # what an earlier run leaves: a registry still listening, recorded in pids.json
        left = subprocess.Popen(
            [sys.executable, "-c", LISTEN, str(base_port + 1), "uvicorn"], start_new_session=True
        )
        started.append(left)
        assert _until(lambda: not _free(base_port + 1), 30)
        folder = Path(demo_env["CONVERGE_DEMO_DIR"])
        folder.mkdir(parents=True)
        entry = f'[{{"name": "registry", "pid": {left.pid}, "mark": "uvicorn"}}]'
        (folder / "pids.json").write_text(entry)
        done = subprocess.run(
            [sys.executable, "-m", "scripts.demo"],
            cwd=ROOT,
            env=demo_env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 1
        assert "an earlier demo run is still running (registry)" in done.stderr
        assert "make stop" in done.stderr
        assert f"kill {left.pid}" in done.stderr
        stop = subprocess.run(
            ["make", "--no-print-directory", "stop"],
            cwd=ROOT,
            env=demo_env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert stop.returncode == 0, stop.stderr
        assert left.wait(timeout=30) == -signal.SIGTERM
        assert _free(base_port + 1)
        assert not (folder / "pids.json").exists()


class TestOneProcess:
    """The pieces of the one-process demo that need no running federation."""

    def test_each_service_gets_its_own_settings_and_the_environment_stays(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from scripts import demo

        monkeypatch.setenv("CONVERGE_GATEWAY_CORS_ORIGINS", '["http://localhost:5173"]')
        before = dict(os.environ)
        names = ("gateway", *(f"{kind}-{n}" for kind in ("node", "workspace") for n in demo.NODES))
        clients = dict.fromkeys(names, "x" * 24)
        values: dict[str, object] = {"secret_key": "s" * 40, "clients": clients}
        services = {s.name: s for s in demo._services(values)}
        gateway = demo._settings(services["gateway"])
        de, pt = demo._settings(services["metadata-de"]), demo._settings(services["metadata-pt"])
        assert dict(os.environ) == before
        # what a person sets reaches the service; each Node's service has its own identity
        assert gateway.cors_origins == ["http://localhost:5173"]
        assert (de.node_id, pt.node_id) == ("de", "pt")
        assert de.data_dir != pt.data_dir

    def test_migrations_run_again_only_when_they_or_the_database_changed(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        from converge_impact.app import MIGRATIONS

        from scripts import demo

        monkeypatch.setattr(demo, "VAR", tmp_path)
        database = tmp_path / "impact.db"
        url = f"sqlite+aiosqlite:///{database}"
        demo._migrate_once("impact-de", MIGRATIONS, url)
        tables = "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
        with sqlite3.connect(database) as conn:
            assert conn.execute(tables).fetchone()[0] > 3
        stamp = tmp_path / "migrated" / "impact-de.sha256"
        first = stamp.read_text()
        # the stamp matches: Alembic is not run (an empty database file stays empty)
        database.write_bytes(b"")
        demo._migrate_once("impact-de", MIGRATIONS, url)
        assert database.read_bytes() == b""
        database.unlink()
        demo._migrate_once("impact-de", MIGRATIONS, url)
        # a stamp that names other migrations: migrated again (Alembic finds nothing to do)
        stamp.write_text("0" * 64 + "\n")
        demo._migrate_once("impact-de", MIGRATIONS, url)
        assert stamp.read_text() == first
        # a database removed behind the stamp's back is created again
        database.unlink()
        demo._migrate_once("impact-de", MIGRATIONS, url)
        with sqlite3.connect(database) as conn:
            assert conn.execute(tables).fetchone()[0] > 3

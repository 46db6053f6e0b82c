"""How long ``make run`` takes to reach its banner, cold (a fresh data folder: secrets, migrations
and seeding) and warm (a second run with nothing new to seed), and to stop after Ctrl-C.

    uv run python -m bench.demo_start [--warm-runs 5] [--no-write]

Starts ``python -m scripts.demo`` as ``make run`` does (without make and uv, whose own start-up
is the same before and after), on free ports and a temporary data folder, reads its output until
the banner, sends SIGINT and waits for it to end. The first run is the cold one; the others reuse
its folder. Prints each run's seconds with the load average at its start, and writes the medians
under "Demo federation start" in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.report import write_section

ROOT = Path(__file__).resolve().parent.parent
BANNER = "CONVERGE demo federation is running"
OFFSETS = (0, 1, 10, 11, 12, 20, 21, 22, 900)


def _free_base() -> int:
    for base in range(23000, 31000, 100):
        ok = True
        for offset in OFFSETS:
            with socket.socket() as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    probe.bind(("127.0.0.1", base + offset))
                except OSError:
                    ok = False
                    break
        if ok:
            return base
    raise SystemExit("no free ports for the demo")


def run_once(folder: Path, base: int, module: str) -> tuple[float, float, float]:
    """(seconds to the banner, seconds from SIGINT to the end, 1-minute load at the start)."""
    env = {**os.environ, "CONVERGE_DEMO_PORT": str(base), "CONVERGE_DEMO_DIR": str(folder)}
    load = os.getloadavg()[0]
    started = time.monotonic()
    demo = subprocess.Popen(
        [sys.executable, "-m", module],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    assert demo.stdout is not None
    try:
        for line in demo.stdout:
            if BANNER in line:
                break
        else:
            raise SystemExit(f"the demo ended without its banner (exit {demo.wait()})")
        ready = time.monotonic() - started
        stopping = time.monotonic()
        demo.send_signal(signal.SIGINT)
        demo.communicate(timeout=120)
        return ready, time.monotonic() - stopping, load
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--warm-runs", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--quick", action="store_true", help="two warm runs")
    parser.add_argument("--module", default="scripts.demo", help="the demo to start")
    args = parser.parse_args(argv)
    runs = 2 if args.quick else args.warm_runs
    base = _free_base()
    with tempfile.TemporaryDirectory(prefix="demo-bench-") as tmp:
        folder = Path(tmp) / "demo"
        cold = run_once(folder, base, args.module)
        print(f"cold: banner {cold[0]:.1f} s, stop {cold[1]:.1f} s, load {cold[2]:.2f}")
        warm = []
        for _ in range(runs):
            warm.append(run_once(folder, base, args.module))
            seconds, stop, load = warm[-1]
            print(f"warm: banner {seconds:.1f} s, stop {stop:.1f} s, load {load:.2f}", flush=True)
    ready = [w[0] for w in warm]
    stops = [w[1] for w in warm]
    loads = [w[2] for w in warm]
    body = f"""
`uv run python -m bench.demo_start` starts `python -m scripts.demo` (what `make run` runs) on a
fresh data folder once (cold: secrets, migrations, seeding) and then {runs} times on the same
folder (warm: nothing new to seed), each time until its banner, then sends SIGINT and waits for
it to end. The machine is shared: the 1-minute load average at each start is given.

| run | to the banner (s) | SIGINT to the end (s) | load average |
| --- | ---: | ---: | ---: |
| cold | {cold[0]:.1f} | {cold[1]:.1f} | {cold[2]:.2f} |
| warm, median of {runs} (min to max) | {statistics.median(ready):.1f} \
({min(ready):.1f} to {max(ready):.1f}) | {statistics.median(stops):.1f} \
| {statistics.median(loads):.2f} |
"""
    print(body)
    if not args.no_write:
        write_section("Demo federation start", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())

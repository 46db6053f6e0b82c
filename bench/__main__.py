"""``make bench``: run every benchmark in turn (``python -m bench [name ...]``).

Each benchmark is a module of this package with a ``main()`` that measures, prints its figures
and writes its section of docs/benchmarks.md. ``BENCH_ARGS`` passes extra arguments to each
(e.g. ``--quick`` for smaller corpora).
"""

from __future__ import annotations

import importlib.util
import os
import shlex
import subprocess
import sys

DEFAULT = [
    "metadata_search",
    "metadata_harvest",
    "registry_idle",
    "gateway_fanout",
    "gateway_impact",
    "portal_pages",
    "impact_usage",
    "demo_start",
]


def main(argv: list[str]) -> int:
    names = argv or DEFAULT
    extra = shlex.split(os.environ.get("BENCH_ARGS", ""))
    failed: list[str] = []
    for name in names:
        if importlib.util.find_spec(f"bench.{name}") is None:
            print(f"bench: no benchmark named {name!r}", file=sys.stderr)
            failed.append(name)
            continue
        print(f"== bench.{name}", flush=True)
        result = subprocess.run([sys.executable, "-m", f"bench.{name}", *extra], check=False)
        if result.returncode != 0:
            failed.append(name)
    if failed:
        print(f"bench: failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""A simulated Node behind a real, impaired network link: a network namespace, a veth pair
and ``tc netem`` (latency, loss) on the Node's side of the link.

The namespace is ``converge-<pid>-<n>``; its link uses 10.200.<n>.0/30 (the root side .1, the
Node .2). Nothing outside the namespaces this module creates is touched. Run as a module inside
the namespace, it serves a :class:`~tests.gateway.simnode.SimNode` with a fixed corpus.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import httpx

__all__ = ["ImpairedNode", "netem_unavailable"]

ROOT = Path(__file__).resolve().parents[2]
_COUNTER = itertools.count(1)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False, timeout=20)


def netem_unavailable() -> str | None:
    """Why netem cannot be used here (missing tools, rights or kernel support), or ``None``."""
    for tool in ("ip", "tc"):
        if shutil.which(tool) is None:
            return f"`{tool}` is not installed (Debian: iproute2)"
    if os.geteuid() != 0:
        return "network namespaces need CAP_NET_ADMIN (run as root)"
    name = f"converge-probe-{os.getpid()}"
    made = _run("ip", "netns", "add", name)
    if made.returncode != 0:
        return f"cannot create a network namespace: {made.stderr.strip()}"
    try:
        _run("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up")
        qdisc = _run(
            "ip", "netns", "exec", name, "tc", "qdisc", "add", "dev", "lo", "root", "netem"
        )
        if qdisc.returncode != 0:
            return f"the kernel has no netem qdisc (sch_netem): {qdisc.stderr.strip()}"
    finally:
        _run("ip", "netns", "del", name)
    return None


@dataclass
class ImpairedNode:
    """A SimNode in its own namespace; ``impair`` sets the link's latency and loss."""

    titles: list[str]
    prefix: str
    port: int = 8000

    def __post_init__(self) -> None:
        index = next(_COUNTER) % 250
        self.namespace = f"converge-{os.getpid()}-{index}"
        self.host_veth = f"cvh{os.getpid() % 10000}x{index}"
        self.node_veth = f"cvn{os.getpid() % 10000}x{index}"
        self.host_ip = f"10.200.{index}.1"
        self.node_ip = f"10.200.{index}.2"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.node_ip}:{self.port}"

    def _ip(self, *args: str) -> None:
        done = _run("ip", *args)
        if done.returncode != 0:
            raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip()}")

    def _in_namespace(self, *args: str) -> None:
        self._ip("netns", "exec", self.namespace, *args)

    def start(self) -> None:
        self._ip("netns", "add", self.namespace)
        self._ip("link", "add", self.host_veth, "type", "veth", "peer", "name", self.node_veth)
        self._ip("link", "set", self.node_veth, "netns", self.namespace)
        self._ip("addr", "add", f"{self.host_ip}/30", "dev", self.host_veth)
        self._ip("link", "set", self.host_veth, "up")
        self._in_namespace("ip", "addr", "add", f"{self.node_ip}/30", "dev", self.node_veth)
        self._in_namespace("ip", "link", "set", self.node_veth, "up")
        self._in_namespace("ip", "link", "set", "lo", "up")
        self._process = subprocess.Popen(
            [
                "ip",
                "netns",
                "exec",
                self.namespace,
                sys.executable,
                "-m",
                "tests.faults.netns",
                "--host",
                self.node_ip,
                "--port",
                str(self.port),
                "--prefix",
                self.prefix,
                *self.titles,
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        with httpx.Client(timeout=1.0, trust_env=False) as client:
            for _ in range(200):
                try:
                    if client.get(f"{self.url}/readyz").status_code == 200:
                        return
                except httpx.HTTPError:
                    time.sleep(0.05)
        raise RuntimeError("the simulated Node in the namespace did not start")

    def impair(self, *, delay_ms: int, loss_percent: float) -> None:
        """Latency and loss on what the Node sends (``tc netem`` on its end of the link)."""
        netem = ["delay", f"{delay_ms}ms", "loss", f"{loss_percent}%"]
        self._in_namespace("tc", "qdisc", "replace", "dev", self.node_veth, "root", "netem", *netem)

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=5)
            self._process = None
        # deleting the namespace deletes its end of the veth pair, and with it the pair
        _run("ip", "netns", "del", self.namespace)
        _run("ip", "link", "del", self.host_veth)

    def __enter__(self) -> ImpairedNode:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType
    ) -> None:
        self.stop()


def main() -> None:
    import uvicorn

    from tests.gateway.simnode import SimNode, SimRecord

    parser = argparse.ArgumentParser(description="Serve a SimNode (inside a namespace)")
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("titles", nargs="+")
    args = parser.parse_args()
    uvicorn.run(
        SimNode([SimRecord(f"{args.prefix}{i}", t) for i, t in enumerate(args.titles)]),
        host=args.host,
        port=args.port,
        log_level="error",
    )


if __name__ == "__main__":
    main()

"""A worker process that ends when the process that started it dies.

A killed ``converge-metadata import`` (SIGKILL, the OOM killer) cannot stop its worker, and a
worker left behind keeps multiprocessing's resource tracker alive with it (the tracker ends
when the last process holding its pipe does). On Linux the kernel signals the worker when its
parent dies (``PR_SET_PDEATHSIG``); elsewhere a daemon thread notices that the worker has
been handed to another parent.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import signal
import sys
import threading
import time

__all__ = ["end_with_parent"]

logger = logging.getLogger("converge.metadata.import")

_PR_SET_PDEATHSIG = 1
_POLL_S = 0.5


def end_with_parent(parent_pid: int) -> None:
    """Make this process end when ``parent_pid`` (the process that started it) ends."""
    if not _kernel_signals_orphan():
        threading.Thread(
            target=_watch_parent, args=(parent_pid,), name="parent-watch", daemon=True
        ).start()
    # the parent may have died before the request took effect
    if os.getppid() != parent_pid:
        os._exit(1)


def _kernel_signals_orphan() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        return bool(libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0)
    except (OSError, AttributeError):
        logger.debug("prctl(PR_SET_PDEATHSIG) unavailable; watching the parent instead")
        return False


def _watch_parent(parent_pid: int) -> None:
    while True:
        time.sleep(_POLL_S)
        if os.getppid() != parent_pid:
            os._exit(1)

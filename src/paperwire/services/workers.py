"""Worker processes that end with their parent: a killed import (``kill -9``) must not leave
parsing processes behind holding memory.

On Linux the kernel sends SIGKILL to a worker when its parent dies (``prctl`` with
``PR_SET_PDEATHSIG``, through ctypes); everywhere a watcher thread also checks once a second
whether the parent is still the one that started the worker, and exits when it is not.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1
CHECK_EVERY_S = 1.0


def _ask_kernel(sig: int) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent thread exits."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    while True:
        if os.getppid() != parent:
            os._exit(1)
        time.sleep(CHECK_EVERY_S)


def init_child_of(parent: int) -> None:
    """Run first in every worker process (``initializer`` of a pool, ``initargs=(pid,)``)."""
    _ask_kernel(signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True,
                     name="parent-watch").start()

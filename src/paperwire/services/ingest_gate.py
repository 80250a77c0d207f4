"""The request gate kept in the database, so every process on every host takes turns."""

from __future__ import annotations

import os
import socket
import time
import uuid

from paperwire.storage import Store

POLL_S = 0.05


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class StoreGate:
    """A RequestGate on the store: one slot per service name, a lease against stuck holders.

    A holder that died on this host (kill -9) is noticed at once from its process id; one on
    another host loses the slot when its lease (the request timeout plus a margin) runs out.
    """

    def __init__(self, store: Store, name: str, lease_s: float) -> None:
        self.store = store
        self.name = name
        self.lease_s = lease_s
        self.host = socket.gethostname()
        self.holder = f"{self.host}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def acquire(self) -> None:
        while True:
            attempt = self.store.try_gate(self.name, self.holder, time.time(), self.lease_s)
            if attempt.acquired:
                return
            if attempt.holder is not None and self._dead(attempt.holder):
                self.store.break_gate(self.name, attempt.holder)
                continue
            time.sleep(min(max(attempt.wait_s, 0.001), POLL_S * 20))

    def release(self, not_before: float) -> None:
        self.store.release_gate(self.name, self.holder, not_before)

    def _dead(self, holder: str) -> bool:
        host, _, rest = holder.partition(":")
        pid_text = rest.partition(":")[0]
        return host == self.host and pid_text.isdigit() and not _pid_alive(int(pid_text))

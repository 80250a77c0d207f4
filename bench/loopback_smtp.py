"""A loopback SMTP server (aiosmtpd) that counts accepted messages for the digest benches."""

from __future__ import annotations

import multiprocessing
import socket
import threading
import time
from typing import Any

from aiosmtpd.controller import Controller


class CountingHandler:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: list[float] = []
        self.message_ids: list[str] = []
        self.recipients: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        head = envelope.content.split(b"\r\n\r\n", 1)[0]
        message_id = next((line.split(b":", 1)[1].strip().decode() for line in
                           head.split(b"\r\n") if line.lower().startswith(b"message-id:")), "")
        with self.lock:
            self.times.append(time.monotonic())
            self.message_ids.append(message_id)
            self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class CountingServer:
    def __init__(self) -> None:
        self.handler = CountingHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                     ready_timeout=30)

    def __enter__(self) -> CountingServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


class _Counter:
    def __init__(self, count: Any) -> None:
        self.count = count

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.count.get_lock():
            self.count.value += 1
        return "250 OK"


def _serve_counting(port: int, count: Any, ready: Any, stop: Any) -> None:
    controller = Controller(_Counter(count), hostname="127.0.0.1", port=port, ready_timeout=30)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


class CountingServerProcess:
    """The same server in its own process, so that it does not slow the sender down."""

    def __init__(self) -> None:
        self.port = free_port()
        self.count = multiprocessing.Value("i", 0)
        self._ready = multiprocessing.Event()
        self._stop = multiprocessing.Event()
        self._process = multiprocessing.Process(
            target=_serve_counting, args=(self.port, self.count, self._ready, self._stop))

    def __enter__(self) -> CountingServerProcess:
        self._process.start()
        self._ready.wait(30)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._process.join(10)

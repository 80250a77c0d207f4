"""A real SMTP server on loopback (aiosmtpd) that keeps every message it accepts.

``reply_rcpt`` and ``reply_data`` let a test make the server refuse on purpose (4xx/5xx).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.helpers import free_port


@dataclass
class Received:
    raw: bytes
    rcpt: list[str]
    at: float
    _parsed: EmailMessage | None = None

    @property
    def message(self) -> EmailMessage:
        """The message, parsed on first use (keeps the server thread light)."""
        if self._parsed is None:
            parsed = message_from_bytes(self.raw, policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            self._parsed = parsed
        return self._parsed

    @property
    def message_id(self) -> str:
        """The Message-ID header, read without parsing the whole message."""
        head = self.raw.split(b"\r\n\r\n", 1)[0]
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                return line.split(b":", 1)[1].strip().decode()
        return ""


@dataclass
class SinkHandler:
    received: list[Received] = field(default_factory=list)
    data_calls: int = 0
    rcpt_seen: list[str] = field(default_factory=list)
    reply_rcpt: Callable[[str], str | None] = lambda address: None
    reply_data: Callable[[int], str | None] = lambda call: None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        self.rcpt_seen.append(address)
        reply = self.reply_rcpt(address)
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.data_calls += 1
            reply = self.reply_data(self.data_calls)
            if reply is not None:
                return reply
            self.received.append(Received(envelope.content, list(envelope.rcpt_tos),
                                          time.monotonic()))
        return "250 Message accepted for delivery"


class SmtpSink:
    def __init__(self) -> None:
        self.handler = SinkHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                     ready_timeout=30)

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def to(self, address: str) -> list[EmailMessage]:
        return [r.message for r in self.received if address in r.rcpt]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.received

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

"""The ``Mailer`` protocol: what services need to send one email message."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Protocol


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...

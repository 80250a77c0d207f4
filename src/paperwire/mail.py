"""Sending mail: the ``Mailer`` protocol, an SMTP mailer and a console mailer.

``SmtpMailer`` keeps one connection open between messages and reconnects after any error.
Refusals become ``MailError`` with the SMTP code: ``temporary`` (4xx: try again later) or
permanent (5xx: the address or message is refused for good). Header values are checked for
CR/LF before anything is sent (``check_header_value``).
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
import sys
import threading
import time
from email.message import EmailMessage
from typing import IO, Protocol

from paperwire.config import Settings
from paperwire.errors import ConfigError, InvalidInput, SourceError

IDLE_RECHECK_S = 10.0
TIMEOUT_S = 30.0


class Mailer(Protocol):
    """Something that delivers one message or raises ``MailError``, until closed."""

    def send(self, message: EmailMessage) -> None: ...

    def close(self) -> None: ...


class MailError(SourceError):
    """The mail server refused a message or could not be reached."""

    def __init__(self, message: str, *, code: int) -> None:
        super().__init__(message)
        self.code = code

    @property
    def temporary(self) -> bool:
        """4xx answers and connection failures: the same message may succeed later."""
        return not 500 <= self.code < 600


def check_header_value(name: str, value: str) -> str:
    """Return ``value`` unchanged; raise InvalidInput if it could inject a header line."""
    if "\r" in value or "\n" in value or "\x00" in value:
        raise InvalidInput(f"mail header {name} contains a line break", field=name)
    return value


def check_message_headers(message: EmailMessage) -> None:
    """Reject a message whose header values (in any part) contain CR, LF or NUL."""
    for part in message.walk():
        for name, value in part.raw_items():
            check_header_value(name, str(value))


class SmtpMailer:
    """Delivers over SMTP (none, STARTTLS or implicit TLS), with optional login."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None
        self._last_used = 0.0
        self._lock = threading.Lock()

    def send(self, message: EmailMessage) -> None:
        check_message_headers(message)
        with self._lock:
            try:
                self._connection().send_message(message)
            except smtplib.SMTPRecipientsRefused as exc:
                self._drop()
                code, reply = next(iter(exc.recipients.values()))
                raise MailError(_reply_text(code, reply), code=code) from exc
            except smtplib.SMTPResponseException as exc:
                self._drop()
                raise MailError(_reply_text(exc.smtp_code, exc.smtp_error),
                                code=exc.smtp_code) from exc
            except (OSError, smtplib.SMTPException) as exc:
                self._drop()
                raise MailError(f"mail server {self._where()}: {exc}", code=0) from exc
            self._last_used = time.monotonic()

    def close(self) -> None:
        with self._lock:
            if self._smtp is not None:
                with contextlib.suppress(OSError, smtplib.SMTPException):
                    self._smtp.quit()
            self._drop()

    def _where(self) -> str:
        return f"{self.settings.smtp_host}:{self.settings.smtp_port}"

    def _drop(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(OSError):
                self._smtp.close()
        self._smtp = None

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None and time.monotonic() - self._last_used > IDLE_RECHECK_S:
            try:
                self._smtp.noop()
            except (OSError, smtplib.SMTPException):
                self._drop()
        if self._smtp is None:
            self._smtp = self._open()
        return self._smtp

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        smtp: smtplib.SMTP
        if s.smtp_tls == "tls":
            smtp = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=TIMEOUT_S,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=TIMEOUT_S)
        try:
            if s.smtp_tls == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password)
        except BaseException:
            smtp.close()
            raise
        return smtp


class ConsoleMailer:
    """Writes each message to a stream (standard output by default): for development."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream

    def send(self, message: EmailMessage) -> None:
        check_message_headers(message)
        out = self.stream or sys.stdout
        out.write(message.as_string())
        out.write("\n" + "-" * 72 + "\n")
        out.flush()

    def close(self) -> None:
        """Nothing to release: the stream belongs to the caller."""


def open_mailer(settings: Settings) -> SmtpMailer | ConsoleMailer:
    """The mailer PAPERWIRE_MAILER names: ``smtp`` (default) or ``console``."""
    if settings.mailer == "smtp":
        return SmtpMailer(settings)
    if settings.mailer == "console":
        return ConsoleMailer()
    if settings.mailer == "outbox":
        raise ConfigError("Setting PAPERWIRE_MAILER='outbox' keeps the web site's mail for "
                          "/dev/mail; sending digests needs 'smtp' or 'console'.")
    raise ConfigError(f"Setting PAPERWIRE_MAILER={settings.mailer!r} must be 'smtp', 'console' "
                      "or 'outbox'.")


def _reply_text(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return f"mail server answered {code} {text}".strip()

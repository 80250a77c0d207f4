"""Mail sent by the web site goes through a queue in the database, so nothing is lost when the
mail server is down: ``QueuedMailer.send`` stores the message and a background thread delivers
it, retrying temporary failures with growing waits (at most ``MAX_WAIT``).

With no delivery mailer (``PAPERWIRE_MAILER=outbox``, the demo's default) messages are kept in
the outbox for a developer to read on ``/dev/mail``.
"""

from __future__ import annotations

import email
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy

from paperwire.clock import now_utc
from paperwire.mail import Mailer, MailError, check_message_headers
from paperwire.models_queues import QueuedMail
from paperwire.services.background import WorkLoop
from paperwire.storage import Store

log = logging.getLogger(__name__)
RETRY_BASE = timedelta(seconds=30)
MAX_WAIT = timedelta(minutes=30)
MAX_ATTEMPTS = 20
POLL_S = 15.0
CLAIM_S = timedelta(minutes=10)  # a taken message is due again then if its worker died
WAIT_FOR_FIRST_TRY_S = 3.0


def retry_delay(attempts: int) -> timedelta:
    """Wait before try ``attempts + 1``: 30 s, 1 min, 2 min… at most MAX_WAIT."""
    wait: timedelta = RETRY_BASE * (2 ** max(attempts - 1, 0))
    return min(wait, MAX_WAIT)


def parse_stored_message(text: str) -> EmailMessage:
    message = email.message_from_string(text, policy=default_policy)
    assert isinstance(message, EmailMessage)
    return message


def deliver_one(store: Store, delivery: Mailer, mail: QueuedMail, now: datetime) -> str:
    """Try one queued message; record the outcome and return its new status."""
    attempts = mail.attempts + 1
    try:
        delivery.send(parse_stored_message(mail.message))
    except MailError as exc:
        give_up = not exc.temporary or attempts >= MAX_ATTEMPTS
        status = "failed" if give_up else "queued"
        store.mark_mail(mail.id, status, attempts, now + retry_delay(attempts), str(exc), now)
        log.warning("mail %s to the queue's recipient not sent (try %s): %s", mail.id,
                    attempts, exc)
        return status
    store.mark_mail(mail.id, "sent", attempts, now, None, now)
    return "sent"


def deliver_due(store: Store, delivery: Mailer, now: datetime | None = None,
                limit: int = 50) -> dict[int, str]:
    """Deliver every due message (oldest first); return id → new status."""
    now = now or now_utc()
    taken = store.claim_due_mail(now, limit, now + CLAIM_S)
    return {mail.id: deliver_one(store, delivery, mail, now) for mail in taken}


class QueuedMailer:
    """A ``Mailer`` that queues; ``delivery`` None keeps every message in the outbox."""

    def __init__(self, store: Store, delivery: Mailer | None, poll_s: float = POLL_S,
                 wait_s: float = WAIT_FOR_FIRST_TRY_S) -> None:
        self.store = store
        self.delivery = delivery
        self.wait_s = wait_s
        self.loop = WorkLoop("paperwire-mail", self._round, poll_s)

    @property
    def keeps_mail(self) -> bool:
        return self.delivery is None

    def send(self, message: EmailMessage) -> None:
        check_message_headers(message)
        status = "kept" if self.delivery is None else "queued"
        mail_id = self.store.enqueue_mail(str(message["To"]), str(message["Subject"]),
                                          message.as_string(), status, now_utc())
        if self.delivery is not None:
            self.loop.wake_and_wait(mail_id, self.wait_s)

    def start(self) -> None:
        """Start the delivery thread; it retries queued mail until ``stop``."""
        if self.delivery is not None:
            self.loop.start()

    def stop(self) -> None:
        self.loop.stop()

    def close(self) -> None:
        """Stop the thread, then close the delivering mailer."""
        self.stop()
        if self.delivery is not None:
            self.delivery.close()

    def _round(self) -> list[int]:
        assert self.delivery is not None
        return list(deliver_due(self.store, self.delivery))


@dataclass(frozen=True)
class MailNotice:
    """What a page says about mail it just queued."""

    text: str
    outbox_link: bool = False


def mail_notice(store: Store, mailer: object, now: datetime | None = None) -> MailNotice | None:
    """A line for pages that send mail: the outbox in the demo, or a mail server that is down."""
    if isinstance(mailer, QueuedMailer) and mailer.keeps_mail:
        return MailNotice("This site keeps mail in its outbox instead of sending it: "
                          "read the message on the developer mail page.", outbox_link=True)
    waiting = [m for m in store.due_mail(datetime.max.replace(tzinfo=UTC), 100)
               if m.last_error]
    if not waiting:
        return None
    retry = min(m.next_try_at for m in waiting).astimezone(UTC)
    return MailNotice("The mail server cannot be reached at the moment, so the message waits "
                      f"in the queue; it is retried automatically (next try at {retry:%H:%M} UTC).")

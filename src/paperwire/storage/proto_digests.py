"""What the digests capability needs from storage: subscribers, confirmations, the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol

from paperwire.models_digests import OutboxDraft, OutboxEntry, Preferences, Subscriber


class DigestStore(Protocol):
    def digest_sender_lock(self) -> AbstractContextManager[None]:
        """Held by the one digest sender that runs (across processes and hosts); raises
        Conflict when another sender holds it. It goes when its holder dies."""
        ...

    def add_subscriber(self, email: str, preferences: Preferences, token: str,
                       username: str | None, now: datetime) -> Subscriber:
        """Insert a pending subscriber, or return the stored one (left unchanged)."""
        ...

    def get_subscriber(self, *, email: str | None = None,
                       token: str | None = None) -> Subscriber | None: ...

    def import_subscribers(self, emails: Sequence[tuple[str, str]], preferences: Preferences,
                           now: datetime) -> int:
        """Add (email, token) pairs as confirmed; never touch a stored address. Count added."""
        ...

    def add_confirmation(self, subscriber_id: int, token_hash: str, now: datetime,
                         expires_at: datetime) -> None: ...

    def last_confirmation_at(self, subscriber_id: int) -> datetime | None: ...

    def peek_confirmation(self, token_hash: str, now: datetime) -> Subscriber | None:
        """The subscriber of an unused, unexpired confirmation (nothing changes)."""
        ...

    def use_confirmation(self, token_hash: str, now: datetime) -> Subscriber | None:
        """Consume the confirmation and confirm its subscriber (unless bounced)."""
        ...

    def set_preferences(self, subscriber_id: int, preferences: Preferences) -> None: ...

    def unsubscribe(self, token: str, now: datetime) -> Subscriber | None: ...

    def list_subscribers(self, frequency: str) -> list[Subscriber]:
        """Confirmed subscribers of a frequency, oldest first."""
        ...

    def sent_paper_ids(self, paper_ids: Sequence[str], period: str) -> dict[int, set[str]]:
        """Per subscriber: which of these papers a digest of another period sent or will
        send (skipped, failed and bounced digests do not count)."""
        ...

    def create_outbox(self, period: str, drafts: Sequence[OutboxDraft], now: datetime) -> int:
        """Queue the drafts (one transaction); rows that exist stay as they are. Count new."""
        ...

    def outbox_subscriber_ids(self, period: str) -> set[int]:
        """Subscribers that already have a digest queued or sent for ``period``."""
        ...

    def due_outbox(self, now: datetime, limit: int) -> list[OutboxEntry]: ...

    def next_retry_at(self) -> datetime | None: ...

    def recent_send_times(self, limit: int) -> list[datetime]:
        """When the last ``limit`` digests were accepted, newest first."""
        ...

    def mark_outbox_sent(self, outbox_id: int, now: datetime) -> None: ...

    def mark_outbox_retry(self, outbox_id: int, attempts: int, next_at: datetime,
                          error: str) -> None: ...

    def mark_outbox_done(self, outbox_id: int, status: str, error: str) -> None:
        """Close a row without sending: ``failed`` or ``skipped``."""
        ...

    def mark_bounced(self, outbox_id: int, error: str, now: datetime) -> None:
        """The address was refused for good: bounce it and skip its other queued digests."""
        ...

    def outbox_counts(self) -> dict[str, int]: ...

    def stats_digests(self) -> dict[str, int]: ...

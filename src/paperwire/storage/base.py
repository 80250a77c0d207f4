"""The Store protocol: what services need from storage, independent of the engine.

Each capability has its own protocol (catalog, ingest, search, community, digests); ``Store``
combines them. ``SqliteStore`` (``sqlite.py``) and ``PostgresStore`` (``postgres.py``) implement
it with the same SQL (``sql_*.py``) over an engine base each.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import Any, Protocol

from paperwire.models import (
    DailyEntry,
    DailySubmission,
    ImportReport,
    IncomingPaper,
    Organization,
    Paper,
    UpsertResult,
)
from paperwire.storage.proto_account import AccountStore
from paperwire.storage.proto_community import CommunityStore
from paperwire.storage.proto_copy import CopyStore
from paperwire.storage.proto_digests import DigestStore
from paperwire.storage.proto_ingest import IngestStore
from paperwire.storage.proto_limits import LimitStore
from paperwire.storage.proto_links import LinksStore
from paperwire.storage.proto_personal import PersonalStore
from paperwire.storage.proto_queues import QueueStore
from paperwire.storage.proto_search import SearchStore


class Transaction(Protocol):
    """An open write transaction; ``execute`` runs one portable SQL statement."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any: ...


class CatalogStore(Protocol):
    def transaction(self) -> AbstractContextManager[Transaction]: ...

    def close(self) -> None: ...

    def upsert_papers(self, incoming: Sequence[IncomingPaper]) -> UpsertResult: ...

    def get_paper(self, paper_id: str) -> Paper | None: ...

    def get_papers(self, paper_ids: Sequence[str]) -> list[Paper]: ...

    def resolve_alias(self, old_id: str) -> str | None: ...

    def list_papers(self, *, offset: int, limit: int) -> list[Paper]: ...

    def count_papers(self) -> int: ...

    def iter_papers_since(self, row_seq: int, batch: int = 1000) -> Iterator[tuple[int, Paper]]: ...

    def add_daily_submission(self, submission: DailySubmission) -> bool: ...

    def move_daily(self, moves: Sequence[tuple[str, date, datetime]]) -> None: ...

    def list_daily(
        self, start: date, end: date, *, sort: str, offset: int, limit: int,
        submitter: str | None = None,
    ) -> list[DailyEntry]: ...

    def count_daily(self, start: date, end: date, submitter: str | None = None) -> int: ...

    def get_daily_entry(self, paper_id: str) -> DailyEntry | None: ...

    def daily_days(self) -> tuple[date | None, date | None]: ...

    def neighbour_day(self, day: date, direction: int) -> date | None: ...

    def upsert_organization(self, org: Organization) -> None: ...

    def get_organization(self, name: str) -> Organization | None: ...

    def attach_paper_organization(self, paper_id: str, org_name: str) -> None: ...

    def log_import(self, report: ImportReport, location: str) -> None: ...

    def stats(self) -> dict[str, int]: ...


class Store(CatalogStore, IngestStore, CommunityStore, SearchStore, DigestStore, LimitStore,
            LinksStore, PersonalStore, QueueStore, AccountStore, CopyStore, Protocol):
    """Everything paperwire stores. Later capabilities add their protocols as bases here."""

"""Domain objects (frozen dataclasses). No I/O and no imports from the rest of paperwire."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Author:
    name: str
    hidden: bool = False
    user: str | None = None


@dataclass(frozen=True)
class Organization:
    name: str
    fullname: str
    avatar: str | None = None


@dataclass(frozen=True)
class Paper:
    """A catalog paper. ``id`` is the base arXiv id, or another stable id for other papers."""

    id: str
    title: str
    summary: str = ""
    authors: tuple[Author, ...] = ()
    author_count: int = 0
    version: int | None = None
    categories: tuple[str, ...] = ()
    published_at: datetime | None = None
    updated_at: datetime | None = None
    pdf_url: str | None = None
    github_repo: str | None = None
    github_stars: int | None = None
    project_page: str | None = None
    ai_keywords: tuple[str, ...] = ()
    imported_upvotes: int = 0
    upvotes: int = 0
    num_comments: int = 0
    withdrawn_at: datetime | None = None
    organization: Organization | None = None
    source: str = ""
    thumbnail: str | None = None  # key of the first-page picture, when one was made

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def shown_author_count(self) -> int:
        return max(self.author_count, len(self.authors))


@dataclass(frozen=True)
class DailySubmission:
    """A paper put on the daily list of ``day`` (a date in the configured time zone)."""

    paper_id: str
    day: date
    submitted_at: datetime
    submitted_by: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class DailyEntry:
    """A daily-list row as shown on pages and in the API."""

    paper: Paper
    day: date
    submitted_at: datetime
    submitted_by: str | None = None


@dataclass(frozen=True)
class IncomingPaper:
    """A paper as an importer or source delivers it, before it is merged into the catalog.

    ``organization``, ``daily`` and ``comment`` (the arXiv comments field, read for links)
    are optional extras some sources carry. Fields left
    as None/empty never overwrite what the catalog already knows. ``problems`` names fields
    that were left out (a bad URL): reported, while the rest of the record is stored.
    """

    paper: Paper
    daily: DailySubmission | None = None
    organization: Organization | None = None
    id_is_derived: bool = False
    problems: tuple[str, ...] = ()
    comment: str | None = None


@dataclass(frozen=True)
class UpsertResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0


@dataclass
class RecordError:
    """One record that could not be used: where it was and why."""

    location: str
    reason: str

    def __str__(self) -> str:
        return f"{self.location}: {self.reason}"


@dataclass
class ImportReport:
    source: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    error_count: int = 0
    errors: list[RecordError] = field(default_factory=list)
    MAX_KEPT_ERRORS = 1000

    def error(self, location: str, reason: str) -> None:
        """Count a bad record; keep the first MAX_KEPT_ERRORS for the report."""
        self.error_count += 1
        if len(self.errors) < self.MAX_KEPT_ERRORS:
            self.errors.append(RecordError(location, reason))

    def add(self, result: UpsertResult) -> None:
        self.inserted += result.inserted
        self.updated += result.updated
        self.unchanged += result.unchanged
        self.merged += result.merged


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing."""

    items: tuple[T, ...]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class StoredEmbedding:
    """One paper's vector as stored: float16 bytes, with the model that made it."""

    paper_id: str
    model: str
    text_hash: str
    dim: int
    vector: bytes
    seq: int = 0

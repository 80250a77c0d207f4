"""Errors raised by services; the web and CLI layers map them to responses."""

from __future__ import annotations


class PaperwireError(Exception):
    """Base class of every error paperwire raises on purpose."""


class NotFound(PaperwireError):
    """The thing asked for does not exist."""


class Conflict(PaperwireError):
    """The request clashes with what is already stored (a duplicate, a race)."""


class InvalidInput(PaperwireError):
    """Input was malformed; the message names the field and what was wrong."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class PermissionDenied(PaperwireError):
    """The caller may not do this."""


class SourceError(PaperwireError):
    """An outside source (arXiv, a file) failed or sent something unusable."""


class Unavailable(PaperwireError):
    """Busy for now: the caller may retry after ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ConfigError(PaperwireError):
    """A setting is missing or has a value that cannot be used."""


class StorageError(PaperwireError):
    """The database cannot be written (read-only file, failing disk); the message names the
    file and the cause."""


class StorageFull(StorageError):
    """The disk (or the file size limit) holding the database is full."""


class RateLimited(PaperwireError):
    """Too many requests from one client; ``retry_after`` says in how many seconds to retry."""

    def __init__(self, message: str, *, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = retry_after

"""The composition root: every concrete object paperwire runs with, built once from Settings.

``build_services(settings)`` picks the Store the database URL names, the search service that
reads and updates the data dir's indexes, the mailer ``PAPERWIRE_MAILER`` names and the
site's mail queue in front of it (``outbox``: mail kept for ``/dev/mail``, never sent), the arXiv API
client submissions fetch papers with, the queue of submissions waiting for it, and the digest's
upvote interests. ``start()``/``stop()`` run the queues' background threads (the web app's
lifespan calls them). The CLI builds one
``Services`` per invocation (``serve`` and ``demo`` hand it to ``create_app``); tests build one
with parts of their own through the keyword arguments. Nothing else picks concrete classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from paperwire.config import Settings
from paperwire.errors import ConfigError
from paperwire.mail import Mailer, open_mailer
from paperwire.search.embedder import Embedder, fetch_providers
from paperwire.services.digest_interests import UpvoteInterests, search_similar
from paperwire.services.ingest import arxiv_api_source
from paperwire.services.mail_queue import QueuedMailer
from paperwire.services.search import SearchService
from paperwire.services.submission_queue import SubmissionQueue
from paperwire.sources.arxiv_api import ArxivApiSource
from paperwire.storage import Store
from paperwire.storage.postgres import PostgresStore
from paperwire.storage.postgres_base import POOL_SIZE
from paperwire.storage.sqlite import SqliteStore


@dataclass(frozen=True)
class Services:
    """What the web app and the CLI commands run with; ``close()`` releases all of it."""

    settings: Settings
    store: Store
    search: SearchService
    mailer: Mailer
    site_mail: QueuedMailer
    paper_fetcher: ArxivApiSource
    submissions: SubmissionQueue
    interests: UpvoteInterests

    def start(self) -> None:
        """Start delivering queued mail and fetching queued submissions in the background."""
        self.site_mail.start()
        self.submissions.start()

    def stop(self) -> None:
        """Stop the background threads (a round in progress finishes first)."""
        self.submissions.stop()
        self.site_mail.stop()

    def digest_mailer(self) -> Mailer:
        """The mailer digests are sent through directly (the outbox sends nothing)."""
        if self.site_mail.keeps_mail:
            raise ConfigError("Setting PAPERWIRE_MAILER='outbox' keeps the web site's mail for "
                              "/dev/mail; sending digests needs 'smtp' or 'console'.")
        return self.mailer

    def close(self) -> None:
        self.stop()
        self.paper_fetcher.close()
        self.mailer.close()
        self.store.close()


def open_store(settings: Settings) -> Store:
    """The Store the database URL names."""
    return open_store_url(settings.database_url, "PAPERWIRE_DATABASE_URL",
                          pool_size=settings.database_pool_size)


def open_store_url(url: str, name: str = "database URL", must_exist: bool = False,
                   pool_size: int = POOL_SIZE) -> Store:
    """The Store of ``url`` (its schema migrated to this version); ``must_exist`` refuses a
    SQLite file that is not there yet instead of creating it."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if must_exist and not path.is_file():
            raise ConfigError(f"{name} {url!r}: there is no database file {path}.")
        return SqliteStore(path)
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresStore(url, pool_size=pool_size)
    raise ConfigError(f"{name}={url[:200]!r}: the database URL must start with "
                      "sqlite:///, postgresql:// or postgres://.")


def build_services(settings: Settings, *, store: Store | None = None,
                   embedder: Embedder | None = None, mailer: Mailer | None = None,
                   paper_fetcher: ArxivApiSource | None = None) -> Services:
    """Build every part from ``settings``; a part given as an argument is used as it is.

    Without ``embedder`` the search service loads the model the settings name the first
    time it needs one (``Services.search.embedder``), once for the whole process.
    """
    if settings.embed_device == "cuda" and embedder is None:
        fetch_providers("cuda")  # no CUDA provider: stop now, not at the first embedding
    store = store if store is not None else open_store(settings)
    search = SearchService(settings, store, embedder)
    fetcher = paper_fetcher if paper_fetcher is not None else arxiv_api_source(settings, store)
    delivery = mailer if mailer is not None else _delivery(settings)
    site_mail = QueuedMailer(store, delivery)
    return Services(
        settings=settings,
        store=store,
        search=search,
        mailer=delivery if delivery is not None else site_mail,
        site_mail=site_mail,
        paper_fetcher=fetcher,
        submissions=SubmissionQueue(store, settings, fetcher),
        interests=UpvoteInterests(store, search_similar(search)),
    )


def _delivery(settings: Settings) -> Mailer | None:
    """What delivers the queued mail: None keeps it in the outbox."""
    return None if settings.mailer == "outbox" else open_mailer(settings)

"""Ingest use cases: newest arXiv submissions, one paper by id, the daily-list policy.

The OAI-PMH harvest lives in ``ingest_oai`` and the bulk snapshot in ``ingest_snapshot``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from paperwire.clock import now_utc
from paperwire.config import Settings
from paperwire.errors import InvalidInput
from paperwire.links import parse_links
from paperwire.models import DailySubmission, ImportReport, IncomingPaper, RecordError
from paperwire.services.ingest_gate import StoreGate
from paperwire.sources.arxiv_api import ArxivApiSource
from paperwire.storage import Store

API_GATE = "arxiv-api"
OAI_GATE = "arxiv-oai"
BATCH = 100
LEASE_MARGIN_S = 30.0


def store_gate(store: Store, settings: Settings, name: str) -> StoreGate:
    """The database gate; its lease outlasts the longest request (connect + answer, each
    bounded by the timeout) so that a live holder never loses the slot."""
    return StoreGate(store, name, 2 * settings.arxiv_timeout + LEASE_MARGIN_S)


def arxiv_api_source(settings: Settings, store: Store) -> ArxivApiSource:
    """The arXiv API client sharing the database gate with every other paperwire process."""
    return ArxivApiSource(settings, store_gate(store, settings, API_GATE))


def fetch_arxiv_paper(store: Store, settings: Settings, arxiv_id: str) -> IncomingPaper | None:
    """One paper from arXiv by id (not stored: the caller decides)."""
    source = arxiv_api_source(settings, store)
    try:
        return source.fetch_paper(arxiv_id)
    finally:
        source.close()


def with_daily(item: IncomingPaper, settings: Settings) -> IncomingPaper:
    """Under the ``categories`` policy, a paper in a daily category goes on the list of the
    day it was published (in the configured zone); under ``submitted`` nothing changes."""
    paper = item.paper
    if settings.daily_policy != "categories" or paper.published_at is None:
        return item
    if not set(paper.categories) & set(settings.daily_categories):
        return item
    day = paper.published_at.astimezone(settings.zone).date()
    return replace(item, daily=DailySubmission(paper.id, day, paper.published_at))


def with_links(item: IncomingPaper) -> IncomingPaper:
    """Fill the code link and project page a record lacks from its abstract and comment."""
    paper = item.paper
    if paper.github_repo and paper.project_page:
        return item
    found = parse_links([paper.summary, item.comment])
    repo = paper.github_repo or found.github_repo
    page = paper.project_page or found.project_page
    if (repo, page) == (paper.github_repo, paper.project_page):
        return item
    return replace(item, paper=replace(paper, github_repo=repo, project_page=page))


def store_records(store: Store, records: Iterable[IncomingPaper | RecordError],
                  report: ImportReport, batch: int = BATCH) -> None:
    """Upsert good records in batches; count and keep the bad ones."""
    pending: list[IncomingPaper] = []
    for record in records:
        report.read += 1
        if isinstance(record, RecordError):
            report.error(record.location, record.reason)
            continue
        pending.append(with_links(record))
        if len(pending) >= batch:
            report.add(store.upsert_papers(pending))
            pending.clear()
    if pending:
        report.add(store.upsert_papers(pending))


def ingest_arxiv(store: Store, settings: Settings, categories: Sequence[str] = (),
                 days: float = 2.0, now: datetime | None = None) -> ImportReport:
    """Newest submissions of the last ``days`` in ``categories`` (default: the daily ones)."""
    cats = [c.strip() for c in categories if c.strip()] or list(settings.daily_categories)
    if days <= 0:
        raise InvalidInput("days must be more than 0", field="days")
    since = (now or now_utc().astimezone(settings.zone)) - timedelta(days=days)
    report = ImportReport(source="arxiv")
    source = arxiv_api_source(settings, store)
    try:
        records = source.fetch_newest(cats, since)
        store_records(store, (r if isinstance(r, RecordError) else with_daily(r, settings)
                              for r in records), report)
    finally:
        source.close()
        store.log_import(report, f"{settings.arxiv_api_url} {','.join(cats)}")
    return report

"""Enrichment use cases (the daily ``enrich`` step): code links and project pages found in
abstracts, keywords by tf-idf against the catalog, GitHub stars.

Each pass is safe to re-run: links and keywords only fill what a paper lacks (links and
keywords an importer supplied are kept) and start after the last paper they saw; stars are
fetched only where the operator allows network access (``PAPERWIRE_GITHUB_STARS``), for
repositories not checked in ``PAPERWIRE_GITHUB_REFRESH_HOURS``, at most
``PAPERWIRE_GITHUB_MAX_REQUESTS`` a run, stopping at GitHub's rate limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from paperwire.clock import now_utc
from paperwire.config import Settings
from paperwire.keywords import build_frequencies, build_keywords, paper_text
from paperwire.links import parse_links
from paperwire.sources.github import RepoAnswer
from paperwire.storage import Store

LINKS, KEYWORDS = "links", "keywords"


class RepoFetcher(Protocol):
    def fetch_repo(self, repo_url: str, etag: str | None) -> RepoAnswer: ...


@dataclass
class EnrichReport:
    links: int = 0
    keywords: int = 0
    repos_checked: int = 0
    repos_not_modified: int = 0
    stars_skipped: str = ""
    errors: list[str] = field(default_factory=list)


def enrich_links(store: Store, report: EnrichReport) -> None:
    """Code links and project pages from the abstracts of papers changed since last time."""
    start, top = store.enrichment_watermark(LINKS), store.max_paper_seq()
    for seq, paper in store.iter_papers_since(start):
        if seq > top:
            break
        if paper.github_repo and paper.project_page:
            continue
        found = parse_links([paper.summary])
        if (found.github_repo or found.project_page) and store.set_paper_links(
                paper.id, found.github_repo, found.project_page):
            report.links += 1
    store.set_enrichment_watermark(LINKS, top)


def enrich_keywords(store: Store, settings: Settings, report: EnrichReport) -> None:
    """Keywords for papers that have none (see ``keywords.py``), against the whole catalog."""
    if settings.keywords_per_paper == 0:
        return
    start, top = store.enrichment_watermark(KEYWORDS), store.max_paper_seq()
    frequencies = build_frequencies(paper_text(p.title, p.summary)
                                    for _, p in store.iter_papers_since(0))
    for seq, paper in store.iter_papers_since(start):
        if seq > top:
            break
        if paper.ai_keywords or not paper.summary:
            continue
        words = build_keywords(paper.title, paper.summary, frequencies,
                               settings.keywords_per_paper)
        if words and store.set_paper_keywords(paper.id, words):
            report.keywords += 1
    store.set_enrichment_watermark(KEYWORDS, top)


def refresh_github_stars(store: Store, settings: Settings, fetcher: RepoFetcher | None,
                         report: EnrichReport, now: datetime | None = None) -> None:
    """Stars of linked repositories, politely; stops at the rate limit (named in the report)."""
    if not settings.github_stars or fetcher is None:
        report.stars_skipped = "GitHub stars are off (PAPERWIRE_GITHUB_STARS)"
        return
    moment = now or now_utc()
    due = store.github_repos_due(moment - timedelta(hours=settings.github_refresh_hours),
                                 settings.github_max_requests)
    for repo, etag in due:
        answer = fetcher.fetch_repo(repo, etag)
        if answer.rate_limited:
            report.stars_skipped = f"rate limited until {answer.reset_at or 'later'}"
            return
        report.repos_checked += 1
        report.repos_not_modified += answer.status == 304
        if answer.status not in (200, 304, 404, 451):
            report.errors.append(f"{repo}: GitHub answered {answer.status}")
            continue
        store.save_github_repo(repo, answer.stars, answer.etag, answer.status, moment)
        if answer.remaining == 0:
            report.stars_skipped = f"rate limit reached; resets {answer.reset_at or 'later'}"
            return


def enrich(store: Store, settings: Settings, fetcher: RepoFetcher | None) -> EnrichReport:
    report = EnrichReport()
    enrich_links(store, report)
    enrich_keywords(store, settings, report)
    refresh_github_stars(store, settings, fetcher, report)
    return report

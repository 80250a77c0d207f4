"""Search records: filters, hits and results (frozen dataclasses, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from paperwire.models import Paper


@dataclass(frozen=True)
class SearchFilters:
    """Optional filters on results; empty values filter nothing."""

    date_from: date | None = None
    date_to: date | None = None
    categories: tuple[str, ...] = ()
    organization: str | None = None
    has_code: bool = False

    @property
    def active(self) -> bool:
        return bool(self.date_from or self.date_to or self.categories or self.organization
                    or self.has_code)

    def accepts(self, paper: Paper) -> bool:
        day = paper.published_at.date() if paper.published_at else None
        if self.date_from and (day is None or day < self.date_from):
            return False
        if self.date_to and (day is None or day > self.date_to):
            return False
        if self.categories and not set(self.categories) & set(paper.categories):
            return False
        if self.organization and (paper.organization is None or self.organization.lower()
                                  not in {paper.organization.name.lower(),
                                          paper.organization.fullname.lower()}):
            return False
        return not (self.has_code and not paper.github_repo)


@dataclass(frozen=True)
class SearchHit:
    paper: Paper
    score: float
    highlighted_title: tuple[dict[str, str], ...] = ()
    highlighted_summary: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True)
class SearchResults:
    query: str
    mode: str
    hits: tuple[SearchHit, ...]
    offset: int
    limit: int
    more: bool

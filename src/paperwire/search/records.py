"""Search records: filters, hits and results (frozen dataclasses, no I/O)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from paperwire.models import Paper


def paper_key(paper_id: str) -> int:
    """A 63-bit number naming a paper in both indexes (a hash of its id)."""
    digest = hashlib.blake2b(paper_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


def paper_organizations(paper: Paper) -> frozenset[str]:
    """The lowercased names an organization filter matches: short name and full name."""
    if paper.organization is None:
        return frozenset()
    return frozenset(n.strip().lower() for n in (paper.organization.name,
                                                 paper.organization.fullname) if n.strip())


@dataclass(frozen=True)
class SearchFilters:
    """Optional filters on results; empty values filter nothing. Categories and
    organizations match any of those given, case-insensitively; ``organization`` (the form
    field) and ``organizations`` (``org:`` operators) count together."""

    date_from: date | None = None
    date_to: date | None = None
    categories: tuple[str, ...] = ()
    organization: str | None = None
    has_code: bool = False
    organizations: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return bool(self.date_from or self.date_to or self.categories or self.org_names
                    or self.has_code)

    @cached_property
    def org_names(self) -> tuple[str, ...]:
        names = ((self.organization,) if self.organization else ()) + self.organizations
        return tuple(dict.fromkeys(n.strip().lower() for n in names if n.strip()))

    @cached_property
    def category_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.strip().lower() for c in self.categories if c.strip()))

    def accepts(self, paper: Paper) -> bool:
        """Whether ``paper`` passes (the reference the indexes' filters must agree with)."""
        day = paper.published_at.date() if paper.published_at else None
        if self.date_from and (day is None or day < self.date_from):
            return False
        if self.date_to and (day is None or day > self.date_to):
            return False
        cats = self.category_names
        if cats and not set(cats) & {c.lower() for c in paper.categories}:
            return False
        orgs = self.org_names
        if orgs and not set(orgs) & paper_organizations(paper):
            return False
        return not (self.has_code and not paper.github_repo)


@dataclass(frozen=True)
class SearchHit:
    paper: Paper
    score: float
    highlighted_title: tuple[dict[str, str], ...] = ()
    highlighted_summary: tuple[dict[str, str], ...] = ()
    snippet: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True)
class SearchResults:
    query: str
    mode: str
    hits: tuple[SearchHit, ...]
    offset: int
    limit: int
    more: bool
    total: int = 0  # about how many papers match (at least len(hits) + offset)
    suggestions: tuple[str, ...] = ()  # did-you-mean queries when nothing matched

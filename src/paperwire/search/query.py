"""The query model every search mode shares (pure): what to rank by and what must hold.

``build_search_query(raw, filters)`` reads the operators out of a query string and merges
them with the form's filters:

    "exact phrase"       the words in this order (keyword); a constraint in every mode
    author:name          an author word (``author:"Ada Lovelace"`` for several)
    category:cs.CL       an arXiv category (several: any of them)
    org:name             an organization, by its name or full name (several: any of them)
    year:2024            published that year; ``year:2020-2023`` a range of years
    -word, -"a phrase"   papers with this word or phrase are left out
    has:code             only papers with a code repository

Everything except the loose words is a *constraint*: keyword, semantic and hybrid search
all return only papers that satisfy every constraint (the indexes apply them while
searching). Loose words and phrases are what keyword search ranks by; the text left after
the operators is what semantic search embeds. A query of constraints only lists the
matching papers, newest first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from paperwire.search.query_terms import (
    PHRASE,
    ParsedQuery,
    analyze,
    analyze_names,
    clean_query,
    parse_query,
)
from paperwire.search.records import SearchFilters

VALUE = r"(\"[^\"]*\"?|[^\s\"]+)"
OPERATOR = re.compile(r"(?i)(?<![^\s(])(authors?|category|cat|org|organization|year|has):"
                      + VALUE)
EXCLUDED = re.compile(r"(?<![^\s(])-" + VALUE)
YEARS = re.compile(r"^(\d{4})(?:-(\d{4}))?$")
FIRST_YEAR, LAST_YEAR = 1000, 9999


@dataclass(frozen=True)
class SearchQuery:
    """A parsed query: ranking words (``parsed``), merged filters, exclusions, and the text
    semantic search embeds."""

    raw: str
    parsed: ParsedQuery
    filters: SearchFilters
    excluded: tuple[tuple[str, ...], ...] = ()  # stemmed words or phrases to leave out
    semantic_text: str = ""

    @property
    def ranked(self) -> bool:
        """Whether there is anything to rank by (else: list the matching papers)."""
        return bool(self.parsed.terms or self.parsed.phrases or self.parsed.prefix
                    or self.semantic_text)

    @property
    def constrained(self) -> bool:
        """Whether anything beyond loose words restricts the results."""
        return bool(self.parsed.phrases or self.parsed.authors or self.excluded
                    or self.filters.active)

    @property
    def empty(self) -> bool:
        return not (self.ranked or self.constrained)


def build_search_query(raw: str, filters: SearchFilters | None = None) -> SearchQuery:
    """Operators and exclusions read out of ``raw`` and merged with ``filters``."""
    text = clean_query(raw)
    merged = filters or SearchFilters()
    authors: list[str] = []
    for match in OPERATOR.finditer(text):
        name, value = match.group(1).lower(), _unquote(match.group(2))
        if name.startswith("author"):
            authors.extend(analyze_names(value))
        else:
            merged = _merge(merged, name, value)
    text = OPERATOR.sub(" ", text)
    excluded = [tuple(analyze(_unquote(m.group(1)))) for m in EXCLUDED.finditer(text)]
    text = EXCLUDED.sub(" ", text)
    parsed = parse_query(text)
    parsed = ParsedQuery(parsed.terms, parsed.phrases, tuple(dict.fromkeys(authors)),
                         parsed.prefix)
    semantic = " ".join(PHRASE.sub(lambda m: m.group(1), text).split())
    return SearchQuery(raw, parsed, merged, tuple(e for e in excluded if e),
                       semantic if analyze(semantic) else "")


def _unquote(value: str) -> str:
    return value.strip('"')


def _merge(filters: SearchFilters, name: str, value: str) -> SearchFilters:
    value = value.strip()
    if not value:
        return filters
    if name in ("category", "cat"):
        return replace(filters, categories=(*filters.categories, value))
    if name in ("org", "organization"):
        return replace(filters, organizations=(*filters.organizations, value))
    if name == "has":
        return replace(filters, has_code=filters.has_code or value.lower() == "code")
    return _merge_years(filters, value)


def _merge_years(filters: SearchFilters, value: str) -> SearchFilters:
    """``year:2024`` or ``year:2020-2023`` narrows the date range (never widens it)."""
    match = YEARS.match(value)
    if match is None:
        return filters
    first = int(match.group(1))
    last = int(match.group(2) or first)
    first, last = max(FIRST_YEAR, min(first, last)), min(LAST_YEAR, max(first, last))
    start, end = date(first, 1, 1), date(last, 12, 31)
    if filters.date_from and filters.date_from > start:
        start = filters.date_from
    if filters.date_to and filters.date_to < end:
        end = filters.date_to
    return replace(filters, date_from=start, date_to=end)


def build_query_words(query: SearchQuery) -> frozenset[str]:
    """The stemmed words a highlight should mark."""
    words = set(query.parsed.terms)
    for phrase in query.parsed.phrases:
        words.update(phrase)
    return frozenset(words)

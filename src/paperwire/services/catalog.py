"""Catalog use cases: import files, list the daily pages, show a paper, count things."""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, TypeVar

from paperwire.clock import now_utc
from paperwire.config import Settings
from paperwire.errors import InvalidInput, NotFound
from paperwire.ids import is_arxiv_id, parse_arxiv_id
from paperwire.models import DailyEntry, ImportReport, IncomingPaper, Page, Paper, RecordError
from paperwire.periods import Period, day_period, human_date, parse_period
from paperwire.ranking import DEFAULT_GRAVITY, rank_trending
from paperwire.services.ingest import store_records
from paperwire.sources.hf import parse_hf_item
from paperwire.sources.hf_page import parse_page
from paperwire.sources.jsonstream import JsonStreamError, iter_json_items
from paperwire.sources.records import RecordInvalid
from paperwire.storage import Store

BATCH = 500
SORTS = ("upvotes", "publishedAt", "comments", "trending")
Parsed = tuple[int, IncomingPaper | RecordError]
T = TypeVar("T")


def open_text(path: Path) -> IO[str]:
    """Open a text file, transparently gunzipping ``.gz`` files."""
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file", field="file")
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open("r", encoding="utf-8")


def parse_hf_file(stream: IO[str], settings: Settings) -> Iterator[Parsed]:
    """Records of an HF papers API JSON file (array of items, or one item)."""
    try:
        for line, item in iter_json_items(stream):
            try:
                yield line, parse_hf_item(item, settings.zone)
            except RecordInvalid as exc:
                yield line, RecordError(f"line {line}", str(exc))
    except JsonStreamError as exc:
        yield exc.line, RecordError(f"line {exc.line}", f"malformed JSON: {exc}")


def ingest_records(store: Store, records: Iterable[Parsed], report: ImportReport,
                   where: str, batch: int = BATCH) -> ImportReport:
    """Upsert parsed records in batches; bad records are counted as ``file:line``."""
    located = (_located(record, where, line, report) for line, record in records)
    store_records(store, located, report, batch)
    return report


def _located(record: IncomingPaper | RecordError, where: str, line: int,
             report: ImportReport) -> IncomingPaper | RecordError:
    """A bad record gets its ``file:line``; a good record's left-out fields are reported
    there too (the record itself is still stored)."""
    if isinstance(record, RecordError):
        return RecordError(f"{where}:{record.location.removeprefix('line ')}", record.reason)
    for problem in record.problems:
        report.error(f"{where}:{line}", problem)
    return record


Parser = Callable[[IO[str], Settings, int], Iterator[Parsed]]
PARSERS: dict[str, Parser] = {
    "hf": lambda stream, settings, year: parse_hf_file(stream, settings),
    "hf-page": lambda stream, settings, year: parse_page(stream, year, settings.zone),
}


def import_file(store: Store, settings: Settings, fmt: str, path: Path,
                year: int | None = None) -> ImportReport:
    """Import one file of a known format; idempotent, streaming, errors reported per record."""
    parser = PARSERS.get(fmt)
    if parser is None:
        raise InvalidInput(f"unknown import format {fmt!r} (known: {', '.join(PARSERS)})",
                           field="format")
    report = ImportReport(source=fmt)
    page_year = year or now_utc().astimezone(settings.zone).year
    with open_text(path) as stream:
        ingest_records(store, parser(stream, settings, page_year), report, str(path))
    store.log_import(report, str(path))
    return report


# -- listings --------------------------------------------------------------------------
@dataclass(frozen=True)
class DailyListing:
    period: Period
    sort: str
    page: Page[DailyEntry]
    previous: Period | None
    next: Period | None


def check_sort(sort: str) -> str:
    if sort not in SORTS:
        raise InvalidInput(f"sort {sort[:30]!r} is not one of {', '.join(SORTS)}", field="sort")
    return sort


def check_paging(page: int, limit: int, max_limit: int = 100) -> None:
    if page < 0:
        raise InvalidInput("p must be 0 or more", field="p")
    if not 1 <= limit <= max_limit:
        raise InvalidInput(f"limit must be between 1 and {max_limit}", field="limit")


def latest_day(store: Store, settings: Settings) -> date:
    """Today in the configured zone when it has papers, else the latest day that has some."""
    today = now_utc().astimezone(settings.zone).date()
    if store.count_daily(today, today):
        return today
    _, last = store.daily_days()
    return last if last is not None and last < today else today


def home_period(store: Store, settings: Settings) -> tuple[Period, str | None]:
    """Today's list, or the most recent day with papers and a line that says so."""
    today = now_utc().astimezone(settings.zone).date()
    shown = latest_day(store, settings)
    if shown == today:
        return day_period(today), None
    return day_period(shown), (f"No papers are listed for today ({human_date(today)}) yet; "
                               f"showing {human_date(shown)}, the most recent day with papers.")


def resolve_period(store: Store, settings: Settings, date_: str | None = None,
                   week: str | None = None, month: str | None = None) -> Period:
    """The period asked for; given several, the most precise (date, week, month) wins."""
    given = [(k, v) for k, v in (("date", date_), ("week", week), ("month", month)) if v]
    if given:
        return parse_period(*given[0])
    return day_period(latest_day(store, settings))


def daily_listing(store: Store, period: Period, sort: str = "upvotes", page: int = 0,
                  limit: int = 30, submitter: str | None = None,
                  gravity: float = DEFAULT_GRAVITY) -> DailyListing:
    check_sort(sort)
    check_paging(page, limit)
    total = store.count_daily(period.start, period.end, submitter)
    if sort == "trending":  # the score is computed in ranking.py, over the whole period
        ranked = daily_entries(store, period, sort, submitter, gravity, total)
        entries = ranked[page * limit:(page + 1) * limit]
    else:
        entries = store.list_daily(period.start, period.end, sort=sort, offset=page * limit,
                                   limit=limit, submitter=submitter)
    return DailyListing(period, sort, Page(tuple(entries), total, page, limit),
                        _neighbour(store, period, -1), _neighbour(store, period, 1))


def daily_entries(store: Store, period: Period, sort: str = "upvotes",
                  submitter: str | None = None, gravity: float = DEFAULT_GRAVITY,
                  total: int | None = None) -> list[DailyEntry]:
    """Every entry of a period's list in ``sort`` order (``total``: their number, if known)."""
    count = store.count_daily(period.start, period.end, submitter) if total is None else total
    order = "upvotes" if sort == "trending" else check_sort(sort)
    entries = store.list_daily(period.start, period.end, sort=order, offset=0, limit=count,
                               submitter=submitter)
    return rank_trending(entries, now_utc(), gravity) if sort == "trending" else entries


def _neighbour(store: Store, period: Period, direction: int) -> Period | None:
    """The nearest period before/after ``period`` that has papers (days skip empty days)."""
    edge = period.start if direction < 0 else period.end
    day = store.neighbour_day(edge, direction)
    if day is None:
        return None
    if period.kind == "date":
        return day_period(day)
    candidate = period.shifted(direction)
    while not (candidate.start <= day <= candidate.end):
        candidate = candidate.shifted(direction)
    return candidate


def all_papers(store: Store, page: int = 0, limit: int = 30) -> Page[Paper]:
    check_paging(page, limit)
    items = store.list_papers(offset=page * limit, limit=limit)
    return require_page(Page(tuple(items), store.count_papers(), page, limit))


def require_page(page: Page[T]) -> Page[T]:
    """``page`` unless it lies past the last page of its list (NotFound names both)."""
    if page.page >= page.pages:
        raise NotFound(f"page {page.page + 1} does not exist: this list has {page.pages} "
                       f"page{'s' if page.pages != 1 else ''}")
    return page


@dataclass(frozen=True)
class PaperLookup:
    paper: Paper | None
    redirect_to: str | None = None


def find_paper(store: Store, paper_id: str) -> PaperLookup:
    """The paper, or the id it now lives under (merged ids redirect); NotFound otherwise."""
    key = paper_id.strip()
    if is_arxiv_id(key) and (base := parse_arxiv_id(key).base) != key:
        return PaperLookup(None, base) if store.get_paper(base) else _missing(key)
    paper = store.get_paper(key)
    if paper is not None:
        return PaperLookup(paper)
    target = store.resolve_alias(key)
    if target is not None:
        return PaperLookup(None, target)
    return _missing(key)


def _missing(paper_id: str) -> PaperLookup:
    raise NotFound(f"paper {paper_id[:80]!r} is not in the catalog")


def stats(store: Store) -> dict[str, int]:
    return store.stats()


def daily_entry_of(store: Store, paper_id: str) -> DailyEntry | None:
    """The daily-list entry of a paper, if it was ever on a daily list."""
    return store.get_daily_entry(paper_id)

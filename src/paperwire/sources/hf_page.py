"""The plain-text dump of a Daily Papers page (pure, streaming).

Each entry: a title line, a blank line, the abstract, a blank line, then an optional meta block
of consecutive lines: ``• N authors`` or an organization line (``slug Full Name``), ``·``, and a
date (``Oct 13`` = the given year, ``Feb 17, 2023`` otherwise) optionally followed by the upvote
count. Lines of page chrome before the first entry are skipped.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from paperwire.ids import derived_id
from paperwire.models import DailySubmission, IncomingPaper, Organization, Paper, RecordError
from paperwire.text import clean_text

MONTHS = {m: i for i, m in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)}
_DATE = re.compile(r"(?P<mon>[A-Z][a-z]{2}) (?P<day>\d{1,2})(?:, (?P<year>\d{4}))?(?: (?P<up>\d+))?")
_AUTHORS = re.compile(r"•\s*(?P<n>\d+) authors?")
MIN_ABSTRACT = 150


@dataclass(frozen=True)
class Block:
    line: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.lines)

    @property
    def is_meta(self) -> bool:
        return "·" in self.lines or self.lines[0].startswith("•")


@dataclass(frozen=True)
class Meta:
    author_count: int = 0
    organization: Organization | None = None
    day: date | None = None
    upvotes: int = 0


def parse_blocks(lines: Iterable[str]) -> Iterator[Block]:
    """Group lines into blocks separated by blank lines, with the first line's number."""
    current: list[str] = []
    start = 0
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if line:
            if not current:
                start = number
            current.append(line)
        elif current:
            yield Block(start, tuple(current))
            current = []
    if current:
        yield Block(start, tuple(current))


def parse_meta(block: Block, year: int) -> Meta:
    """The authors/organization/date/upvotes of a meta block; ValueError names what is wrong."""
    author_count, org, day, upvotes = 0, None, None, 0
    for line in block.lines:
        if line == "·":
            continue
        if m := _AUTHORS.fullmatch(line):
            author_count = int(m.group("n"))
        elif m := _DATE.fullmatch(line):
            month = MONTHS.get(m.group("mon"))
            if month is None:
                raise ValueError(f"unknown month in {line!r}")
            day = date(int(m.group("year") or year), month, int(m.group("day")))
            upvotes = int(m.group("up") or 0)
        elif " " in line and not line.startswith("•"):
            slug, fullname = line.split(" ", 1)
            org = Organization(slug, fullname.strip())
        else:
            raise ValueError(f"unrecognized line {line!r}")
    return Meta(author_count, org, day, upvotes)


def build_entry(title: Block, abstract: Block, meta: Meta, zone: ZoneInfo) -> IncomingPaper:
    name = clean_text(title.text)
    pid = derived_id(name)
    published = datetime.combine(meta.day, time(0), zone) if meta.day else None
    paper = Paper(id=pid, title=name, summary=clean_text(abstract.text),
                  author_count=meta.author_count, published_at=published,
                  imported_upvotes=meta.upvotes, source="hf-page")
    daily = DailySubmission(pid, meta.day, published) if meta.day and published else None
    return IncomingPaper(paper, daily=daily, organization=meta.organization, id_is_derived=True)


def _is_entry_start(window: deque[Block]) -> bool:
    if len(window) < 2 or len(window[0].lines) != 1 or window[0].is_meta:
        return False
    if _DATE.fullmatch(window[0].lines[0]):
        return False
    return not window[1].is_meta and len(window[1].text) >= MIN_ABSTRACT


def parse_page(lines: Iterable[str], year: int,
               zone: ZoneInfo) -> Iterator[tuple[int, IncomingPaper | RecordError]]:
    """Yield (line, paper) for each entry, or (line, RecordError) for an unusable block."""
    seen_entry = False  # text that starts no entry is an error only after the first entry
    for window in _windows(lines):
        if _is_entry_start(window):
            seen_entry = True
            yield from _take_entry(window, year, zone)
            continue
        skipped = window.popleft()
        if seen_entry and (skipped.is_meta or len(skipped.text) >= MIN_ABSTRACT):
            yield skipped.line, RecordError(f"line {skipped.line}", "text with no title before it")


def _windows(lines: Iterable[str]) -> Iterator[deque[Block]]:
    """The window of blocks each time one entry (or one other block) may leave its front."""
    window: deque[Block] = deque()
    for block in parse_blocks(lines):
        window.append(block)
        if len(window) >= 3:
            yield window
    while window:
        yield window


def _take_entry(window: deque[Block], year: int,
                zone: ZoneInfo) -> Iterator[tuple[int, IncomingPaper | RecordError]]:
    """Take the entry at the front of ``window``: title, abstract and meta line if any."""
    title, abstract = window.popleft(), window.popleft()
    meta = Meta()
    if window and window[0].is_meta:
        meta_block = window.popleft()
        try:
            meta = parse_meta(meta_block, year)
        except ValueError as exc:
            yield title.line, RecordError(f"line {meta_block.line}", str(exc))
            return
    yield title.line, build_entry(title, abstract, meta, zone)

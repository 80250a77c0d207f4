"""RSS 2.0 and Atom 1.0 feeds of paper listings (built with feedgen).

Atom titles and summaries are ``type="text"``; RSS titles and descriptions are HTML by
convention in feed readers, so their text is HTML-escaped before it goes in. Characters
XML 1.0 forbids are dropped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator

from paperwire.models import Paper

FORMATS = {"rss": "application/rss+xml; charset=utf-8",
           "atom": "application/atom+xml; charset=utf-8"}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class FeedItem:
    paper: Paper
    when: datetime | None = None


def xml_text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _when(item: FeedItem, as_of: datetime) -> datetime:
    when = item.when or item.paper.published_at or as_of
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def feed_updated(items: Sequence[FeedItem], as_of: datetime) -> datetime:
    """The feed's date: its newest item, or ``as_of`` (the list's own date) when it is empty."""
    return max((_when(i, as_of) for i in items), default=as_of)


def _add_entry(gen: FeedGenerator, item: FeedItem, base_url: str, fmt: str,
               as_of: datetime) -> None:
    paper = item.paper
    link = f"{base_url}/papers/{paper.id}"
    entry = gen.add_entry(order="append")
    entry.id(link)
    title = xml_text(paper.title) or paper.id
    entry.title(html.escape(title) if fmt == "rss" else title)
    entry.link(href=link)
    entry.published(_when(item, as_of))
    entry.updated(_when(item, as_of))
    names = [xml_text(a.name) for a in paper.authors if not a.hidden and xml_text(a.name)]
    if names:
        entry.author([{"name": name} for name in names[:20]])
    summary = xml_text(paper.summary)
    if fmt == "rss":
        entry.description(html.escape(summary) or " ")
    else:
        entry.summary(summary or " ", type="text")


def render_feed(fmt: str, title: str, page_url: str, self_url: str, items: Sequence[FeedItem],
                base_url: str, as_of: datetime) -> bytes:
    """The feed document of ``items`` in ``fmt`` ("rss" or "atom"); ``as_of`` dates an empty
    feed and items that have no date of their own."""
    gen = FeedGenerator()
    gen.id(page_url)
    gen.title(xml_text(title))
    gen.link(href=page_url, rel="alternate")
    gen.link(href=self_url, rel="self")
    gen.description(xml_text(title))
    gen.language("en")
    newest = feed_updated(items, as_of)
    gen.updated(newest)
    gen.lastBuildDate(newest)
    for item in items:
        _add_entry(gen, item, base_url.rstrip("/"), fmt, as_of)
    result: bytes = gen.rss_str(pretty=True) if fmt == "rss" else gen.atom_str(pretty=True)
    return result

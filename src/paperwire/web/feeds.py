"""RSS 2.0 and Atom 1.0 feeds of paper listings (built with feedgen).

Atom titles and summaries are ``type="text"``; RSS titles and descriptions (of the channel
and of every item) are HTML by convention in feed readers, so every one of them goes through
``feed_text``, which HTML-escapes it. Characters XML 1.0 forbids are dropped.
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


def feed_text(value: str, fmt: str) -> str:
    """A title or description as the format reads it: escaped HTML in RSS, text in Atom."""
    text = xml_text(value)
    return html.escape(text) if fmt == "rss" else text


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
    entry.title(feed_text(paper.title or paper.id, fmt) or paper.id)
    entry.link(href=link)
    entry.published(_when(item, as_of))
    entry.updated(_when(item, as_of))
    names = [xml_text(a.name) for a in paper.authors if not a.hidden and xml_text(a.name)]
    if names:
        entry.author([{"name": name} for name in names[:20]])
    summary = feed_text(paper.summary, fmt) or " "
    if fmt == "rss":
        entry.description(summary)
    else:
        entry.summary(summary, type="text")


def render_feed(fmt: str, title: str, page_url: str, self_url: str, items: Sequence[FeedItem],
                base_url: str, as_of: datetime) -> bytes:
    """The feed document of ``items`` in ``fmt`` ("rss" or "atom"); ``as_of`` dates an empty
    feed and items that have no date of their own."""
    gen = FeedGenerator()
    gen.id(page_url)
    gen.title(feed_text(title, fmt))
    gen.link(href=page_url, rel="alternate")
    gen.link(href=self_url, rel="self")
    gen.description(feed_text(title, fmt))
    gen.language("en")
    newest = feed_updated(items, as_of)
    gen.updated(newest)
    gen.lastBuildDate(newest)
    for item in items:
        _add_entry(gen, item, base_url.rstrip("/"), fmt, as_of)
    result: bytes = gen.rss_str(pretty=True) if fmt == "rss" else gen.atom_str(pretty=True)
    return result

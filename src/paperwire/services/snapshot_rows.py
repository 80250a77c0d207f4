"""Snapshot lines straight to catalog rows, for bulk import (pure).

A typed decoder reads the fields the catalog keeps into a struct and the row is built from
it without the intermediate ``Paper``. Anything the typed decoder refuses (a number where a
title should be, a missing field, broken JSON) goes the regular way,
``prepare_paper(parse_snapshot_line(line))``, which either accepts the odd shape or names
what is wrong. Tests hold both ways equal.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from paperwire.errors import InvalidInput
from paperwire.ids import parse_arxiv_id, title_hash, title_key
from paperwire.models import Paper
from paperwire.paper_row import (
    PAPER_COLUMNS,
    PreparedPaper,
    build_paper_row,
    dt_to_text,
    dump_json,
    prepare_paper,
)
from paperwire.sources.arxiv_oai import split_author_list
from paperwire.sources.arxiv_snapshot import (
    author_name,
    parse_snapshot_line,
    parse_update_date,
    squeeze,
    version_span,
)

# The columns ``_fast_row`` fills from the record, then the ones that are the same for every
# snapshot record (taken from the one row builder), then title_hash. Checked at import: a
# column added to PAPER_COLUMNS anywhere but the tail stops this module from loading.
_OWN = ("id", "version", "title", "title_key", "summary", "authors_json", "author_count",
        "categories", "published_at", "updated_at", "pdf_url")
_TAIL = build_paper_row(Paper("x", "x", source="arxiv-snapshot"), "x")[len(_OWN):-1]
if PAPER_COLUMNS[:len(_OWN)] != _OWN or PAPER_COLUMNS[-1] != "title_hash":
    raise RuntimeError(f"snapshot rows fill {_OWN} first and title_hash last, but the paper "
                       f"row is {PAPER_COLUMNS}")


class _Version(msgspec.Struct):
    version: str
    created: str | None = None


class _Record(msgspec.Struct):
    id: str
    title: str
    abstract: str | None = None
    authors: str | None = None
    authors_parsed: list[list[str]] | None = None
    categories: str | None = None
    versions: list[_Version] | None = None
    update_date: str | None = None


_DECODER = msgspec.json.Decoder(_Record)


class _Slow(Exception):
    """The record needs the regular path (to be accepted, or to be refused with a reason)."""


def parse_snapshot_row(line: bytes) -> PreparedPaper:
    """The prepared catalog row of one snapshot line; RecordInvalid names what is wrong."""
    try:
        return _fast_row(_DECODER.decode(line))
    except (msgspec.DecodeError, _Slow, InvalidInput):
        return prepare_paper(parse_snapshot_line(line))


def _fast_row(rec: _Record) -> PreparedPaper:
    aid = parse_arxiv_id(rec.id)
    title = squeeze(rec.title)
    if not title:
        raise _Slow
    version, published, updated = _versions(rec.versions)
    update = parse_update_date(rec.update_date) if rec.update_date else None
    names = _author_names(rec)
    authors = dump_json([{"name": name, "hidden": False, "user": None} for name in names])
    categories = " ".join(rec.categories.split()) if rec.categories else ""
    published_at = dt_to_text(published)
    changed = update or updated
    updated_at = dt_to_text(changed)
    key = title_key(title)
    cols = (aid.base, version or aid.version, title, key, squeeze(rec.abstract or ""),
            authors, len(names), categories, published_at, updated_at,
            f"https://arxiv.org/pdf/{aid.base}", *_TAIL, title_hash(key))
    return aid.base, key, cols, True


def _author_names(rec: _Record) -> list[str]:
    parsed = rec.authors_parsed
    if not parsed:
        return [a.name for a in split_author_list(squeeze(rec.authors or ""))]
    if not all(parsed):
        raise _Slow
    return [name for name in map(author_name, parsed) if name]


def _versions(raw: list[_Version] | None) -> tuple[int | None, datetime | None, datetime | None]:
    if not raw:
        return None, None, None
    found: list[tuple[int, Any]] = []
    for entry in raw:
        label = entry.version
        if not (label[:1] == "v" and label[1:].isdigit()):
            raise _Slow
        found.append((int(label[1:]), entry.created))
    return version_span(found)

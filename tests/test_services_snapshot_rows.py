"""Snapshot lines straight to rows: the typed fast path gives exactly the rows of the regular
path, and every line it refuses still gets the regular path's answer."""

from __future__ import annotations

import random

import pytest

from paperwire.paper_row import prepare_paper
from paperwire.services.snapshot_rows import _DECODER, _fast_row, parse_snapshot_row
from paperwire.sources.arxiv_snapshot import parse_snapshot_line
from paperwire.sources.records import RecordInvalid
from tests.snapshot_helpers import REAL_LINE, line, record

VARIANTS = [
    REAL_LINE,
    {**REAL_LINE, "id": "math.GT/0309136v3", "title": "0", "authors_parsed": None},
    {**REAL_LINE, "authors_parsed": [], "authors": "A. One, B. Two (MIT, CMU) and C. Three"},
    {**REAL_LINE, "authors_parsed": [["Solo"], ["Last", "First"], ["", "", ""]]},
    {**REAL_LINE, "title": " \t A\x00B \n  c ", "abstract": None, "categories": None},
    {**REAL_LINE, "abstract": "  é \u2028 ü\u00a0\"quoted\" \\ back\n", "categories": " cs.LG  cs.AI "},
    {**REAL_LINE, "versions": [{"version": "v3", "created": "Wed, 1 Jan 2020 00:00:00 GMT"},
                               {"version": "v1", "created": None}]},
    {**REAL_LINE, "versions": [{"version": "v2", "created": "2 Jan 2020 10:00:00 +0100"}]},
    {**REAL_LINE, "versions": [], "update_date": ""},
    {**REAL_LINE, "versions": None, "update_date": None},
    {**REAL_LINE, "id": "2310.12345v2", "versions": None},
    {**REAL_LINE, "authors_parsed": [["Name\x00", "X", "Jr"]], "extra": {"nested": [1, 2]}},
]
SLOW_ONLY = [
    {**REAL_LINE, "title": 0},
    {**REAL_LINE, "title": 3.5, "abstract": 7},
    {k: v for k, v in REAL_LINE.items() if k != "abstract"},
]


@pytest.mark.parametrize("obj", VARIANTS + SLOW_ONLY)
def test_rows_equal_the_regular_path(obj: dict[str, object]) -> None:
    text = line(obj)
    assert parse_snapshot_row(text) == prepare_paper(parse_snapshot_line(text))


@pytest.mark.parametrize("obj", VARIANTS)
def test_the_fast_path_itself_gives_the_same_rows(obj: dict[str, object]) -> None:
    text = line(obj)
    assert _fast_row(_DECODER.decode(text)) == prepare_paper(parse_snapshot_line(text))


def test_generated_records_take_the_fast_path_and_match() -> None:
    rng = random.Random(11)
    for i in range(300):
        text = line(record(i, rng))
        assert _fast_row(_DECODER.decode(text)) == prepare_paper(parse_snapshot_line(text))


@pytest.mark.parametrize(("broken", "reason"), [
    (b"{not json", "malformed JSON"), (line([1]), "expected an object"),
    (line({**REAL_LINE, "id": "2399.00001"}), "month"), (line({**REAL_LINE, "id": None}), "'id'"),
    (line({**REAL_LINE, "title": " "}), "'title'"), (line({**REAL_LINE, "title": {}}), "text"),
    (line({**REAL_LINE, "versions": [{"version": "x"}]}), "vN"),
    (line({**REAL_LINE, "versions": [{"version": "v1", "created": "someday"}]}), "RFC 2822"),
    (line({**REAL_LINE, "update_date": "yesterday"}), "update_date"),
    (line({**REAL_LINE, "authors_parsed": [[]]}), "authors_parsed"),
])
def test_bad_lines_say_why(broken: bytes, reason: str) -> None:
    with pytest.raises(RecordInvalid, match=reason):
        parse_snapshot_row(broken)


def test_fast_rows_and_the_store_use_one_column_list() -> None:
    """A fast row read by the one column list is the store's own row of the same paper."""
    from paperwire.ids import title_key
    from paperwire.paper_row import PAPER_COLUMNS, paper_columns

    _pid, key, cols, _plain = _fast_row(_DECODER.decode(line(REAL_LINE)))
    paper = parse_snapshot_line(line(REAL_LINE)).paper
    assert dict(zip(PAPER_COLUMNS, cols, strict=True)) == paper_columns(paper, title_key(
        paper.title))
    assert key == title_key(paper.title)

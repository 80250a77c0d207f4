import io
import json

import pytest

from paperwire.models import IncomingPaper, RecordError
from paperwire.services.catalog import parse_hf_file
from paperwire.sources.hf import parse_hf_item
from paperwire.sources.jsonstream import CHUNK, iter_json_items
from paperwire.sources.records import RecordInvalid
from tests.helpers import HF_RESPONSE


def test_real_search_response_parses_to_nine_papers(settings) -> None:  # type: ignore[no-untyped-def]
    with (HF_RESPONSE).open(encoding="utf-8") as f:
        records = [r for _, r in parse_hf_file(f, settings)]
    papers = [r for r in records if isinstance(r, IncomingPaper)]
    assert len(papers) == 9
    kaz = papers[0]
    assert kaz.paper.id == "2404.04487"
    assert kaz.paper.authors[0].name == "Rustem Yeshpanov"
    assert kaz.paper.pdf_url == "https://arxiv.org/pdf/2404.04487"
    assert kaz.daily is not None and kaz.daily.day.isoformat() == "2024-04-05"
    assert "\n" not in kaz.paper.summary


def test_bare_paper_list_and_versioned_ids() -> None:
    item = parse_hf_item({"id": "2310.12345v3", "title": "T", "summary": "S", "upvotes": 4})
    assert (item.paper.id, item.paper.version, item.paper.imported_upvotes) == ("2310.12345", 3, 4)
    assert item.daily is None
    other = parse_hf_item({"id": "openreview-abc", "title": "Non arXiv"})
    assert other.paper.id == "openreview-abc" and other.paper.pdf_url is None


@pytest.mark.parametrize(("item", "words"), [
    ({"paper": {"id": "1"}}, "title"),
    ({"id": "x", "title": ["list"]}, "title"),
    ({"id": "x", "title": "t", "upvotes": "many"}, "whole number"),
    ({"id": "x", "title": "t", "publishedAt": "yesterday"}, "publishedAt"),
    ([1, 2], "object"),
    ({"id": "a\x00b", "title": "t"}, "id"),
])
def test_bad_items_say_what_is_wrong(item: object, words: str) -> None:
    with pytest.raises(RecordInvalid, match=words):
        parse_hf_item(item)


def test_bad_records_are_reported_with_lines_and_the_rest_kept(settings) -> None:  # type: ignore[no-untyped-def]
    text = '[\n{"id": "2401.00001", "title": "One"},\n{"id": "2401.00002"},\n' \
           '{"id": "2401.00003", "title": "Three"}\n]'
    records = list(parse_hf_file(io.StringIO(text), settings))
    assert [type(r).__name__ for _, r in records] == ["IncomingPaper", "RecordError",
                                                      "IncomingPaper"]
    assert records[1][0] == 3


def test_truncated_json_reports_the_line_after_yielding_good_items(settings) -> None:  # type: ignore[no-untyped-def]
    text = '[{"id": "2401.00001", "title": "One"},\n{"id": "2401.0'
    records = list(parse_hf_file(io.StringIO(text), settings))
    assert isinstance(records[0][1], IncomingPaper)
    assert isinstance(records[-1][1], RecordError) and "malformed JSON" in records[-1][1].reason


def test_streaming_reader_crosses_chunk_boundaries() -> None:
    items = [{"id": f"2401.{i:05d}", "title": "x" * (i % 50), "n": i * 12345} for i in range(3000)]
    text = json.dumps(items, indent=1)
    assert len(text) > 3 * CHUNK
    got = [item for _, item in iter_json_items(io.StringIO(text))]
    assert got == items

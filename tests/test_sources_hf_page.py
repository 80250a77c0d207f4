from datetime import date
from zoneinfo import ZoneInfo

from paperwire.models import IncomingPaper, RecordError
from paperwire.sources.hf_page import parse_page
from tests.helpers import DAILY_PAGE

UTC = ZoneInfo("UTC")
ABSTRACT = "We study a thing at length. " * 10


def parsed(text: str, year: int = 2025) -> list[IncomingPaper | RecordError]:
    return [item for _, item in parse_page(text.splitlines(), year, UTC)]


def test_real_page_gives_71_papers_with_their_metadata() -> None:
    with (DAILY_PAGE).open(encoding="utf-8") as f:
        items = [item for _, item in parse_page(f, 2025, UTC)]
    papers = [i for i in items if isinstance(i, IncomingPaper)]
    assert len(papers) == 71 and len(items) == 71
    first = papers[0]
    assert first.paper.title.startswith("Diffusion-Link")
    assert first.paper.author_count == 5
    assert first.paper.imported_upvotes == 2
    assert first.daily is not None and first.daily.day == date(2025, 10, 13)
    undated = [p.paper.title for p in papers if p.daily is None]
    assert len(undated) == 2 and "Rethinking the shape convention of an MLP" in undated
    orgs = {p.organization.fullname for p in papers if p.organization}
    assert "Westlake University" in orgs
    assert len({p.paper.id for p in papers}) == 71


def test_dates_with_a_year_keep_it_and_upvotes_follow_the_date() -> None:
    text = f"A title\n\n{ABSTRACT}\n\n  • 3 authors\n·\nOct 31, 2023 7\n"
    (item,) = parsed(text)
    assert isinstance(item, IncomingPaper) and item.daily is not None
    assert item.daily.day == date(2023, 10, 31)
    assert item.paper.imported_upvotes == 7 and item.paper.author_count == 3


def test_bad_meta_is_reported_with_its_line_and_the_rest_still_parses() -> None:
    text = (f"Good one\n\n{ABSTRACT}\n\n  • 2 authors\n·\nFoo 99\n\n"
            f"Second\n\n{ABSTRACT}\n\n  • 1 author\n·\nJan 2\n")
    items = parsed(text)
    errors = [i for i in items if isinstance(i, RecordError)]
    papers = [i for i in items if isinstance(i, IncomingPaper)]
    assert len(errors) == 1 and errors[0].location == "line 5"
    assert [p.paper.title for p in papers] == ["Second"]


def test_title_zero_is_a_title() -> None:
    (item,) = parsed(f"0\n\n{ABSTRACT}\n")
    assert isinstance(item, IncomingPaper) and item.paper.title == "0"

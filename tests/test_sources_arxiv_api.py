"""The arXiv API client against the loopback fake: parsing, paging, fetch by id, safety."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from paperwire.bootstrap import open_store
from paperwire.config import Settings
from paperwire.errors import SourceError
from paperwire.models import IncomingPaper, RecordError
from paperwire.services import ingest
from paperwire.sources.arxiv_api import ArxivApiSource, parse_api_feed
from paperwire.storage.sqlite import SqliteStore
from tests.fake_arxiv import NOW, FakeArxiv, Fault

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol9;</title></feed>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&xxe;</title></entry></feed>"""


@pytest.mark.parametrize("arxiv_id", ["2401.00001", "2401.00001v1", "hep-th/9901001",
                                      "math.GT/0309136v1", "https://arxiv.org/abs/0704.0001"])
def test_fetch_paper_by_any_id_shape(isettings: Settings, fake: FakeArxiv, arxiv_id: str) -> None:
    source = ArxivApiSource(isettings)
    found = source.fetch_paper(arxiv_id)
    assert isinstance(found, IncomingPaper)
    assert found.paper.id == arxiv_id.removeprefix("https://arxiv.org/abs/").split("v1")[0]
    assert found.paper.source == "arxiv"
    assert found.paper.pdf_url and found.paper.id in found.paper.pdf_url
    assert fake.requests[-1].query["id_list"].startswith(found.paper.id)


def test_fetch_paper_fields_and_versions(isettings: Settings) -> None:
    paper = ArxivApiSource(isettings).fetch_paper("2401.00001")
    assert paper is not None
    assert paper.paper.version == 2
    assert paper.paper.title == "Attention Is All You Need Again"
    assert [a.name for a in paper.paper.authors] == ["Ada Lovelace", "Alan Turing"]
    assert paper.paper.categories == ("cs.LG",)
    assert paper.paper.published_at == NOW - timedelta(days=1)
    zero = ArxivApiSource(isettings).fetch_paper("2401.00002")
    assert zero is not None and zero.paper.title == "0"
    latex = ArxivApiSource(isettings).fetch_paper("2401.00003")
    assert latex is not None
    assert latex.paper.summary == "We study $\\alpha$ <b>bold</b> & more."


def test_unknown_paper_is_none_and_store_helper_works(isettings: Settings,
                                                      istore: SqliteStore) -> None:
    assert ingest.fetch_arxiv_paper(istore, isettings, "2401.09999") is None
    assert ingest.fetch_arxiv_paper(istore, isettings, "2312.99999") is None


def test_api_error_entry_is_an_error(isettings: Settings, fake: FakeArxiv) -> None:
    source = ArxivApiSource(isettings)
    with pytest.raises(SourceError, match="incorrect id format"):
        source.fetch_page({"id_list": "%bad"})


def test_newest_pages_until_the_cutoff(isettings: Settings, fake: FakeArxiv) -> None:
    source = ArxivApiSource(isettings)
    records = list(source.fetch_newest(["cs.LG", "cs.CL", "cs.AI"], NOW - timedelta(days=3),
                                       page_size=2))
    ids = [r.paper.id for r in records if isinstance(r, IncomingPaper)]
    assert ids == ["2401.00006", "2401.00002", "2401.00001", "2401.00003"]
    assert [r.query["start"] for r in fake.requests] == ["0", "2", "4"]


def test_an_empty_page_mid_listing_is_retried(isettings: Settings, fake: FakeArxiv) -> None:
    empty = (b'<feed xmlns="http://www.w3.org/2005/Atom" '
             b'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">'
             b"<opensearch:totalResults>5</opensearch:totalResults></feed>")
    fake.fail("/api/query", Fault(body=empty))
    records = list(ArxivApiSource(isettings).fetch_newest(["cs.LG"], NOW - timedelta(days=3)))
    assert [r.paper.id for r in records if isinstance(r, IncomingPaper)] == ["2401.00001",
                                                                          "2401.00003"]
    assert len(fake.requests) == 2


def test_bad_entry_is_reported_and_the_rest_kept() -> None:
    feed = (b'<feed xmlns="http://www.w3.org/2005/Atom">'
            b"<entry><id>http://arxiv.org/abs/not-an-id</id><title>x</title></entry>"
            b"<entry><id>http://arxiv.org/abs/2401.00001v1</id><title>Good</title>"
            b"<published>2024-01-01T00:00:00Z</published><updated>2024-01-01T00:00:00Z</updated>"
            b"</entry><entry><id>http://arxiv.org/abs/2401.00002v1</id><title></title></entry>"
            b"</feed>")
    page = parse_api_feed(feed, "feed")
    assert [type(r) for r in page.records] == [RecordError, IncomingPaper, RecordError]
    bad = page.records[0]
    assert isinstance(bad, RecordError) and "not-an-id" in bad.location


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL])
def test_entity_documents_are_refused_quickly(document: bytes) -> None:
    started = time.monotonic()
    with pytest.raises(SourceError, match="unsafe XML"):
        parse_api_feed(document)
    assert time.monotonic() - started < 1.0


def test_ingest_arxiv_with_categories_policy(ingest_env: dict[str, str]) -> None:
    from paperwire.config import load_settings
    settings = load_settings({**ingest_env, "PAPERWIRE_DAILY_POLICY": "categories",
                              "PAPERWIRE_DAILY_CATEGORIES": "cs.LG,cs.AI",
                              "PAPERWIRE_TIMEZONE": "America/New_York"})
    store = open_store(settings)
    report = ingest.ingest_arxiv(store, settings, ["cs.LG", "cs.CL", "cs.AI"], days=3, now=NOW)
    assert (report.read, report.inserted, report.error_count) == (4, 4, 0)
    day = (NOW - timedelta(days=1)).astimezone(settings.zone).date()
    entries = store.list_daily(day, day, sort="date", offset=0, limit=10)
    # 2401.00006 came out at 00:00 UTC on the 10th: still the 9th in New York.
    # 2401.00002 (cs.CL) is not in a daily category.
    assert {e.paper.id for e in entries} == {"2401.00001", "2401.00006"}
    assert store.get_daily_entry("2401.00002") is None
    again = ingest.ingest_arxiv(store, settings, ["cs.LG", "cs.CL", "cs.AI"], days=3, now=NOW)
    assert (again.inserted, again.unchanged) == (0, 4)
    store.close()


def test_ingest_arxiv_submitted_policy_adds_no_daily_entries(isettings: Settings,
                                                             istore: SqliteStore) -> None:
    report = ingest.ingest_arxiv(istore, isettings, ["cs.LG", "cs.AI"], days=3, now=NOW)
    assert report.inserted == 3
    assert istore.daily_days() == (None, None)

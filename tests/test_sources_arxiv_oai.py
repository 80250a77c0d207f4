"""OAI-PMH ListRecords parsing (pure): both formats, deleted records, bad records, safety."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from paperwire.errors import SourceError
from paperwire.models import IncomingPaper, RecordError
from paperwire.sources.arxiv_oai import (
    BadResumptionToken,
    Deleted,
    oai_set_for,
    parse_oai_page,
    split_author_list,
)
from tests.fake_arxiv import FakePaper, oai_record

NS = "http://www.openarchives.org/OAI/2.0/"
WHEN = datetime(2023, 10, 2, 9, 30, tzinfo=UTC)


def page(*records: str, token: str = "") -> bytes:
    tok = f"<resumptionToken completeListSize=\"9\">{token}</resumptionToken>"
    return (f'<OAI-PMH xmlns="{NS}"><responseDate>2024-01-10T12:00:00Z</responseDate>'
            f"<ListRecords>{''.join(records)}{tok}</ListRecords></OAI-PMH>").encode()


@pytest.mark.parametrize("fmt", ["arXiv", "arXivRaw"])
def test_both_formats(fmt: str) -> None:
    papers = [FakePaper("2310.12345", "Deep $\\alpha$ & <nets>", WHEN, versions=2),
              FakePaper("hep-th/9901001", "0", WHEN, categories=("hep-th", "math.GT")),
              FakePaper("2312.99999", "gone", WHEN, deleted=True, datestamp=WHEN.date())]
    parsed = parse_oai_page(page(*(oai_record(p, fmt) for p in papers), token="t1"))
    assert parsed.token == "t1" and parsed.complete_size == 9
    assert parsed.response_date == "2024-01-10T12:00:00Z"
    first, second, third = parsed.records
    assert isinstance(first, IncomingPaper) and isinstance(second, IncomingPaper)
    assert first.paper.id == "2310.12345" and first.paper.title == "Deep $\\alpha$ & <nets>"
    assert first.paper.version == (2 if fmt == "arXivRaw" else None)
    assert [a.name for a in first.paper.authors] == ["Ada Lovelace", "Alan Turing"]
    assert first.paper.published_at is not None
    assert first.paper.published_at.date() == WHEN.date()
    assert second.paper.id == "hep-th/9901001" and second.paper.title == "0"
    assert second.paper.categories == ("hep-th", "math.GT")
    assert second.paper.pdf_url == "https://arxiv.org/pdf/hep-th/9901001"
    assert third == Deleted("2312.99999", datetime(2023, 10, 2, tzinfo=UTC))


def test_bad_records_are_reported_with_their_identifier_and_the_rest_kept() -> None:
    good = oai_record(FakePaper("2310.00001", "Good", WHEN), "arXiv")
    no_title = oai_record(FakePaper("2310.00002", "", WHEN), "arXiv")
    bad_id = oai_record(FakePaper("2399.00003", "Bad id", WHEN), "arXiv")
    bad_version = oai_record(FakePaper("2310.00004", "x", WHEN), "arXivRaw").replace(
        'version="v1"', 'version="one"')
    no_meta = "<record><header><identifier>oai:arXiv.org:2310.00005</identifier></header></record>"
    parsed = parse_oai_page(page(no_title, good, bad_id, bad_version, no_meta))
    kinds = [type(r).__name__ for r in parsed.records]
    assert kinds == ["RecordError", "IncomingPaper", "RecordError", "RecordError", "RecordError"]
    errors = [r for r in parsed.records if isinstance(r, RecordError)]
    assert "oai:arXiv.org:2310.00002" in errors[0].location and "title" in errors[0].reason
    assert "month" in errors[1].reason
    assert "version" in errors[2].reason
    assert "no metadata" in errors[3].reason
    assert parsed.token is None


def test_oai_errors() -> None:
    def error(code: str) -> bytes:
        return (f'<OAI-PMH xmlns="{NS}"><responseDate>2024-01-10T12:00:00Z</responseDate>'
                f'<error code="{code}">why</error></OAI-PMH>').encode()

    assert parse_oai_page(error("noRecordsMatch")).records == ()
    with pytest.raises(BadResumptionToken):
        parse_oai_page(error("badResumptionToken"))
    with pytest.raises(SourceError, match="badArgument"):
        parse_oai_page(error("badArgument"))
    with pytest.raises(SourceError, match="malformed XML"):
        parse_oai_page(b"<OAI-PMH><ListRecords><record>")


@pytest.mark.parametrize("name", ["billion-laughs", "external-entity", "external-dtd"])
def test_entity_documents_are_refused_fast(name: str) -> None:
    doctype = {
        "billion-laughs": '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">' + "".join(
            f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
            + "]>",
        "external-entity": '<!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:9/evil">]>',
        "external-dtd": '<!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd">',
    }[name]
    body = doctype + f'<OAI-PMH xmlns="{NS}"><ListRecords><record><metadata>&j;&x;' \
                     "</metadata></record></ListRecords></OAI-PMH>"
    started = time.monotonic()
    with pytest.raises(SourceError, match="unsafe XML"):
        parse_oai_page(body.encode())
    assert time.monotonic() - started < 1.0


def test_sets_of_categories() -> None:
    assert [oai_set_for(c) for c in ("cs.LG", "math.GT", "hep-th", "physics.optics",
                                     "stat.ML", "q-bio.NC")] == [
        "cs", "math", "physics:hep-th", "physics:physics", "stat", "q-bio"]


def test_author_lists() -> None:
    names = [a.name for a in split_author_list(
        "C. Bal\\'azs, E. L. Berger (ANL, Argonne), P. M. Nadolsky and C.-P. Yuan")]
    assert names == ["C. Bal\\'azs", "E. L. Berger (ANL, Argonne)", "P. M. Nadolsky",
                     "C.-P. Yuan"]
    assert split_author_list("") == ()

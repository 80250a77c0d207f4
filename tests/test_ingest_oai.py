"""The OAI-PMH harvest against the loopback fake: pages, checkpoints, deleted records,
resuming after errors, the default ``from``, and the CLI."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime

import pytest
from click.testing import CliRunner

from paperwire.cli import main
from paperwire.config import Settings
from paperwire.errors import SourceError
from paperwire.services.ingest_oai import checkpoint_name, harvest_oai
from paperwire.storage.sqlite import SqliteStore
from tests.fake_arxiv import FakeArxiv, FakePaper, Fault

ALL_LIVE = {"2401.00001", "2401.00002", "2401.00003", "0704.0001", "hep-th/9901001",
            "math.GT/0309136", "2401.00004", "2401.00005", "2401.00006"}


def stored_ids(store: SqliteStore) -> set[str]:
    return {p.id for p in store.list_papers(offset=0, limit=1000)}


def test_full_harvest_over_pages(isettings: Settings, istore: SqliteStore,
                                 fake: FakeArxiv) -> None:
    report = harvest_oai(istore, isettings, "")
    assert stored_ids(istore) == ALL_LIVE
    assert (report.read, report.inserted, report.error_count) == (10, 9, 0)
    assert len(fake.requests) == 4  # 10 records, 3 a page
    assert "resumptionToken" in fake.requests[1].query
    old = istore.get_paper("hep-th/9901001")
    assert old is not None and old.version == 3 and old.source == "arxiv"
    assert istore.get_paper("2401.00002") is not None
    saved = istore.get_checkpoint(checkpoint_name("", "arXivRaw"))
    assert saved is not None and saved["token"] is None and saved["next_from"] == "2024-01-10"


def test_set_and_dates(isettings: Settings, istore: SqliteStore, fake: FakeArxiv) -> None:
    harvest_oai(istore, isettings, "cs", from_="2024-01-05", until="2024-01-09",
                metadata_format="arXiv")
    assert stored_ids(istore) == {"2401.00001", "2401.00002", "2401.00003", "2401.00004"}
    first = fake.requests[0].query
    assert (first["set"], first["from"], first["until"], first["metadataPrefix"]) == (
        "cs", "2024-01-05", "2024-01-09", "arXiv")


def test_next_run_starts_where_the_server_said_the_last_one_began(
        isettings: Settings, istore: SqliteStore, fake: FakeArxiv) -> None:
    harvest_oai(istore, isettings, "cs")
    assert "from" not in fake.requests[0].query
    report = harvest_oai(istore, isettings, "cs")
    assert fake.requests[-1].query["from"] == "2024-01-10"
    assert report.read == 1  # only 2401.00006 is stamped on the 10th


def test_deleted_record_withdraws_and_keeps_the_row(isettings: Settings, istore: SqliteStore,
                                                    fake: FakeArxiv) -> None:
    harvest_oai(istore, isettings, "cs")
    index = next(i for i, p in enumerate(fake.state.papers) if p.id == "2401.00004")
    fake.state.papers[index] = replace(fake.state.papers[index], deleted=True,
                                       datestamp=date(2024, 1, 11))
    harvest_oai(istore, isettings, "cs")
    paper = istore.get_paper("2401.00004")
    assert paper is not None and paper.title == "Vision paper"
    assert paper.withdrawn_at is not None and paper.withdrawn_at.date() == date(2024, 1, 11)
    assert istore.get_paper("2312.99999") is None  # deleted before we ever saw it


def test_a_v2_updates_the_row(isettings: Settings, istore: SqliteStore, fake: FakeArxiv) -> None:
    harvest_oai(istore, isettings, "cs")
    count = istore.count_papers()
    index = next(i for i, p in enumerate(fake.state.papers) if p.id == "2401.00003")
    fake.state.papers[index] = replace(fake.state.papers[index], versions=2,
                                       title="Sparse mixtures, revised",
                                       datestamp=date(2024, 1, 12))
    report = harvest_oai(istore, isettings, "cs")
    paper = istore.get_paper("2401.00003")
    assert paper is not None and (paper.version, paper.title) == (2, "Sparse mixtures, revised")
    assert istore.count_papers() == count and report.updated == 1


def test_failure_mid_harvest_raises_then_resumes(isettings: Settings, istore: SqliteStore,
                                                 fake: FakeArxiv) -> None:
    fake.state.papers.append(FakePaper("2401.00009", "late", datetime(2024, 1, 9)))
    fake.fail("/oai", Fault(), *[Fault(status=500)] * 4)
    with pytest.raises(SourceError, match="giving up"):
        harvest_oai(istore, isettings, "")
    assert len(stored_ids(istore)) == 3  # the first page is stored with its checkpoint
    token = fake.requests[-1].query["resumptionToken"]
    harvest_oai(istore, isettings, "")
    assert fake.requests[-4].query["resumptionToken"] == token  # resumed, not restarted
    assert stored_ids(istore) == ALL_LIVE | {"2401.00009"}


def test_expired_token_restarts_the_run(isettings: Settings, istore: SqliteStore,
                                        fake: FakeArxiv) -> None:
    istore.put_checkpoint(checkpoint_name("cs", "arXivRaw"), {
        "from": None, "until": None, "token": "expired", "started": "2024-01-09",
        "next_from": None, "pages": 2})
    report = harvest_oai(istore, isettings, "cs")
    assert fake.requests[0].query["resumptionToken"] == "expired"
    assert "resumptionToken" not in fake.requests[1].query
    assert report.error_count == 1 and "badResumptionToken" in report.errors[0].reason
    assert len(stored_ids(istore)) == 6


def test_cli_harvest_reports_json_and_bad_records_exit_1(ingest_env: dict[str, str],
                                                         fake: FakeArxiv) -> None:
    runner = CliRunner(env=ingest_env)
    result = runner.invoke(main, ["ingest", "oai", "--set", "cs", "--from", "2024-01-01"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert (summary["read"], summary["inserted"], summary["errors"]) == (6, 5, 0)
    fake.state.papers.append(FakePaper("2401.00010", "x", datetime(2024, 1, 11),
                                       raw_oai="<record><header><identifier>oai:arXiv.org:"
                                               "2401.00010</identifier></header></record>"))
    fake.state.papers.append(FakePaper("2401.00011", "fine", datetime(2024, 1, 11)))
    result = runner.invoke(main, ["ingest", "oai", "--set", "cs"])
    assert result.exit_code == 1
    assert "oai:arXiv.org:2401.00010: no metadata" in result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["inserted"] == 1


def test_cli_bad_date_and_403(ingest_env: dict[str, str], fake: FakeArxiv) -> None:
    runner = CliRunner(env=ingest_env)
    result = runner.invoke(main, ["ingest", "oai", "--from", "2024-13-01"])
    assert result.exit_code == 1 and "--from '2024-13-01'" in result.stderr
    fake.fail("/oai", Fault(status=403))
    result = runner.invoke(main, ["ingest", "oai"])
    assert result.exit_code == 1 and "403" in result.stderr

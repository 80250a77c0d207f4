"""Thumbnails made from PDFs the loopback arXiv serves: stored in the data dir, their key in the
catalog, a bad PDF never stopping the others, and `paperwire enrich` making them when enabled."""

from __future__ import annotations

from dataclasses import replace

from click.testing import CliRunner

from paperwire.cli import main
from paperwire.config import Settings
from paperwire.models import IncomingPaper, Paper
from paperwire.services.thumbnails import MAX_TRIES, make_thumbnails, thumbnail_dir
from paperwire.storage.sqlite import SqliteStore
from tests.fake_arxiv import FakeArxiv
from tests.pdf_helpers import build_pdf


def add_papers(store: SqliteStore, *ids: str) -> None:
    store.upsert_papers([IncomingPaper(Paper(id=pid, title=f"Paper {pid}")) for pid in ids])


def test_thumbnails_are_made_stored_and_not_remade(fake: FakeArxiv, isettings: Settings,
                                                   istore: SqliteStore) -> None:
    settings = replace(isettings, arxiv_pdf_url=fake.base_url + "/pdf")
    add_papers(istore, "2401.00001", "hep-th/9901001", "2401.00009", "a-paper-without-arxiv-id")
    fake.state.pdfs.update({"2401.00001": build_pdf("One"), "hep-th/9901001": build_pdf("Two"),
                            "2401.00009": b"%PDF-1.4 broken"})
    report = make_thumbnails(istore, settings)
    assert report.made == 2 and len(report.errors) == 1 and "2401.00009" in report.errors[0]
    assert sorted(p.name for p in thumbnail_dir(settings).iterdir()) == \
        ["2401.00001.png", "hep-th_9901001.png"]
    paper = istore.get_paper("2401.00001")
    assert paper is not None and paper.thumbnail and len(paper.thumbnail) == 16
    missing = istore.get_paper("2401.00009")
    assert missing is not None and missing.thumbnail is None
    assert "/pdf/a-paper-without-arxiv-id" not in [r.path for r in fake.requests]

    asked = len(fake.requests)
    for _ in range(MAX_TRIES):
        make_thumbnails(istore, settings)
    retried = [r.path for r in fake.requests[asked:]]
    assert retried == ["/pdf/2401.00009"] * (MAX_TRIES - 1)  # then it is left alone


def test_enrich_makes_thumbnails_only_when_enabled(fake: FakeArxiv, ingest_env: dict[str, str],
                                                   isettings: Settings,
                                                   istore: SqliteStore) -> None:
    add_papers(istore, "2401.00001")
    fake.state.pdfs["2401.00001"] = build_pdf("One")
    env = {**ingest_env, "PAPERWIRE_ARXIV_PDF_URL": fake.base_url + "/pdf"}
    off = CliRunner().invoke(main, ["enrich"], env=env)
    assert off.exit_code == 0, off.output
    assert not [r for r in fake.requests if r.path.startswith("/pdf/")]
    on = CliRunner().invoke(main, ["enrich"], env={**env, "PAPERWIRE_THUMBNAILS": "true"})
    assert on.exit_code == 0, on.output
    assert "thumbnails: 1 made, 0 failed" in on.output
    assert (thumbnail_dir(isettings) / "2401.00001.png").exists()

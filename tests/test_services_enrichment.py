"""Enrichment: links and keywords from the catalog, GitHub stars from a loopback fake."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner

from paperwire.cli import main
from paperwire.config import Settings
from paperwire.models import Author, ImportReport, IncomingPaper, Paper
from paperwire.services import enrichment
from paperwire.services.ingest import store_records
from paperwire.sources.github import GithubSource
from paperwire.storage.sqlite import SqliteStore
from tests.fake_github import FakeGithub, fake_github
from tests.helpers import load_demo

NOW = datetime(2026, 1, 10, tzinfo=UTC)


def add(store: SqliteStore, pid: str, summary: str, comment: str | None = None) -> None:
    paper = Paper(pid, f"Paper {pid}", summary, (Author("A. B."),), source="arxiv")
    store_records(store, [IncomingPaper(paper, comment=comment)], ImportReport("test"))


def test_ingest_and_the_daily_pass_fill_links(store: SqliteStore, settings: Settings) -> None:
    add(store, "2501.00001", "A model. Code is available at https://github.com/acme/one.")
    add(store, "2501.00002", "No links here.", comment="Project page: https://two.example.org/")
    got = store.get_paper("2501.00001"), store.get_paper("2501.00002")
    assert got[0] and got[0].github_repo == "https://github.com/acme/one"
    assert got[1] and got[1].project_page == "https://two.example.org/"
    with store.transaction() as conn:  # a paper imported by a path that skips enrichment
        conn.execute("UPDATE papers SET github_repo = NULL WHERE id = '2501.00001'")
    report = enrichment.EnrichReport()
    enrichment.enrich_links(store, report)
    assert report.links == 1 and store.get_paper("2501.00001").github_repo  # type: ignore[union-attr]
    again = enrichment.EnrichReport()
    enrichment.enrich_links(store, again)
    assert again.links == 0


def test_keywords_fill_papers_without_them_and_keep_imported_ones(
        store: SqliteStore, settings: Settings) -> None:
    load_demo(store, settings)
    imported = store.get_paper("2404.04487")
    assert imported and imported.ai_keywords
    report = enrichment.EnrichReport()
    enrichment.enrich_keywords(store, settings, report)
    assert report.keywords > 50
    assert store.get_paper("2404.04487").ai_keywords == imported.ai_keywords  # type: ignore[union-attr]
    ner = store.get_paper("2111.13419")
    assert ner and "named entity recognition" in [k.lower() for k in ner.ai_keywords]
    assert len(ner.ai_keywords) <= settings.keywords_per_paper


def stars_settings(settings: Settings, base: str, token: str = "") -> Settings:
    return replace(settings, github_stars=True, github_api_url=base, github_token=token)


def test_stars_use_etags_the_token_and_stop_at_the_rate_limit(
        store: SqliteStore, settings: Settings) -> None:
    for n in range(4):
        add(store, f"2501.0001{n}", f"Code: https://github.com/acme/r{n}")
    fake = FakeGithub(stars={"acme/r0": 5, "acme/r1": 7, "acme/r2": 9}, token="s3cret")
    with fake_github(fake) as base:
        on = stars_settings(settings, base, "s3cret")
        source = GithubSource(on)
        report = enrichment.EnrichReport()
        enrichment.refresh_github_stars(store, on, source, report, NOW)
        assert report.repos_checked == 4 and not report.errors
        assert store.get_paper("2501.00011").github_stars == 7  # type: ignore[union-attr]
        assert store.get_paper("2501.00013").github_stars is None  # type: ignore[union-attr]
        assert all(r["authorization"] == "Bearer s3cret" for r in fake.requests)
        assert all("paperwire" in r["user-agent"] for r in fake.requests)
        fresh = enrichment.EnrichReport()
        enrichment.refresh_github_stars(store, on, source, fresh, NOW + timedelta(hours=1))
        assert fresh.repos_checked == 0  # nothing is due within the refresh interval
        fake.stars["acme/r1"] = 8
        fake.budget = 1
        later = NOW + timedelta(hours=25)
        again = enrichment.EnrichReport()
        enrichment.refresh_github_stars(store, on, source, again, later)
        source.close()
    conditional = [r for r in fake.requests[4:] if "if-none-match" in r]
    assert conditional, "the second round sends the stored ETags"
    assert again.repos_not_modified >= 1
    assert "rate limit" in again.stars_skipped
    assert store.get_paper("2501.00010").github_stars == 5  # type: ignore[union-attr]


def test_stars_are_off_unless_allowed(store: SqliteStore, settings: Settings) -> None:
    add(store, "2501.00020", "Code: https://github.com/acme/x")
    report = enrichment.EnrichReport()
    enrichment.refresh_github_stars(store, settings, None, report, NOW)
    assert report.repos_checked == 0 and "off" in report.stars_skipped


def test_daily_runs_enrich(env: dict[str, str], store: SqliteStore) -> None:
    add(store, "2501.00030", "Graph neural networks for molecules. Code: github.com/acme/gnn")
    fake = FakeGithub(stars={"acme/gnn": 42})
    with fake_github(fake) as base:
        runner = CliRunner(env={**env, "PAPERWIRE_DAILY_STEPS": "enrich",
                                "PAPERWIRE_GITHUB_STARS": "true",
                                "PAPERWIRE_GITHUB_API_URL": base})
        result = runner.invoke(main, ["daily"])
    assert result.exit_code == 0, result.output
    paper = store.get_paper("2501.00030")
    assert paper and paper.github_stars == 42 and paper.ai_keywords

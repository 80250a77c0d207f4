"""The real ``huggingface_hub`` client (pinned in the test extra) against a live paperwire
on loopback: every paper method of ``HfApi`` and every ``hf papers`` command, checked on
content. Nothing leaves the machine: the endpoint is the loopback server."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError

from paperwire.bootstrap import build_services, open_store
from paperwire.config import Settings, load_settings
from paperwire.models import Author, DailySubmission, ImportReport, IncomingPaper, Paper
from paperwire.search.embedder import OnnxEmbedder
from paperwire.services.ingest import store_records
from paperwire.storage.sqlite import SqliteStore
from paperwire.web.app import create_app
from tests.helpers import load_demo
from tests.live_server import serving
from tests.search_helpers import search_env

PAPER = "1903.01234"
ABSTRACT = ("We present Widget, a sparse mixture of experts for protein folding. "
            "Widget halves the cost of folding predictions.")
COMMENT = ("12 pages. Code: https://github.com/acme/widget. Project page: "
           "https://acme.github.io/widget/ ; javascript:alert(1)")


def add_widget(store: SqliteStore) -> None:
    submitted = datetime(2019, 3, 5, 9, 30, tzinfo=UTC)
    paper = Paper(PAPER, "Widget: Sparse Experts for Protein Folding", ABSTRACT,
                  (Author("Ada Lovelace"), Author("Alan Turing")), version=2,
                  categories=("cs.LG", "q-bio.BM"), published_at=submitted,
                  pdf_url=f"https://arxiv.org/pdf/{PAPER}", ai_keywords=("mixture of experts",),
                  source="arxiv")
    daily = DailySubmission(PAPER, date(2019, 3, 5), submitted, "alice")
    store_records(store, [IncomingPaper(paper, daily=daily, comment=COMMENT)],
                  ImportReport("test"))
    user = store.create_user("alice", "alice@example.org", "x", submitted)
    assert user is not None
    first = store.add_comment(PAPER, user.id, None, "Does it run on CPUs?", submitted)
    store.add_comment(PAPER, user.id, first, "Yes, slowly.", submitted)


def add_june(store: SqliteStore, count: int = 25) -> None:
    """``count`` papers on the June 2018 daily lists, with upvotes unrelated to their day."""
    items = []
    for n in range(count):
        at = datetime(2018, 6, 1 + n, 12, tzinfo=UTC)
        paper = Paper(f"1806.{n:05d}", f"June paper {n}", f"Abstract {n}.", (Author("B. C."),),
                      published_at=at, imported_upvotes=(n * 7) % 11, source="arxiv")
        items.append(IncomingPaper(paper, daily=DailySubmission(paper.id, at.date(), at)))
    store_records(store, items, ImportReport("test"))


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory, embedder: OnnxEmbedder) -> Iterator[str]:
    settings: Settings = load_settings(search_env(tmp_path_factory.mktemp("hf")))
    store = open_store(settings)
    load_demo(store, settings)
    add_widget(store)
    add_june(store)
    services = build_services(settings, store=store, embedder=embedder)
    services.search.index()
    with serving(create_app(services)) as base:
        yield base
    store.close()


@pytest.fixture
def api(hub: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> HfApi:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    return HfApi(endpoint=hub, token=False)


def test_list_daily_papers_by_date_week_month_and_submitter(api: HfApi) -> None:
    for kwargs in ({"date": "2019-03-05"}, {"week": "2019-W10"}, {"month": "2019-03"},
                   {"month": "2019-03", "submitter": "alice"}):
        papers = list(api.list_daily_papers(**kwargs))  # type: ignore[arg-type]
        assert [p.id for p in papers] == [PAPER], kwargs
        info = papers[0]
        assert info.title == "Widget: Sparse Experts for Protein Folding"
        assert info.github_repo == "https://github.com/acme/widget"
        assert info.project_page == "https://acme.github.io/widget/"
        assert info.ai_keywords == ["mixture of experts"]
        assert info.submitted_by is not None and info.submitted_by.username == "alice"
        assert info.submitted_at == datetime(2019, 3, 5, 9, 30, tzinfo=UTC)
        assert info.comments == 2
        assert [a.name for a in info.authors or []] == ["Ada Lovelace", "Alan Turing"]
    assert list(api.list_daily_papers(month="2019-03", submitter="bob")) == []


def test_list_daily_papers_sorts_and_pages(api: HfApi) -> None:
    june = [p.id for p in api.list_daily_papers(month="2018-06", limit=100)]
    assert june == [f"1806.{n:05d}" for n in reversed(range(25))]  # newest first
    trending = [p.id for p in api.list_daily_papers(month="2018-06", sort="trending", limit=100)]
    assert sorted(trending) == sorted(june) and trending != june
    pages = [p.id for n in range(3) for p in api.list_daily_papers(month="2018-06", p=n, limit=10)]
    assert pages == june


def test_list_papers_searches_with_highlights(api: HfApi) -> None:
    papers = list(api.list_papers(query="kazakh question answering", limit=5))
    assert papers[0].id == "2404.04487"
    assert papers[0].github_repo == "https://github.com/IS2AI/KazQAD"
    assert "Kazakh" in (papers[0].title or "")
    assert len(papers) <= 5
    assert next(p.id for p in api.list_papers(query="protein folding experts", limit=3)) == PAPER


def test_paper_info_fills_every_known_field(api: HfApi) -> None:
    info = api.paper_info(PAPER)
    assert (info.id, info.title, info.summary) == (PAPER, "Widget: Sparse Experts for Protein "
                                                   "Folding", ABSTRACT)
    assert info.github_repo == "https://github.com/acme/widget"
    assert info.project_page == "https://acme.github.io/widget/"
    assert info.published_at == datetime(2019, 3, 5, 9, 30, tzinfo=UTC)
    assert info.discussion_id == PAPER and info.comments == 2 and info.source == "arxiv"
    assert info.ai_keywords == ["mixture of experts"]
    kaz = api.paper_info("2404.04487v1")  # a versioned id follows the redirect
    assert kaz.id == "2404.04487" and kaz.upvotes and kaz.upvotes > 0
    with pytest.raises(HfHubHTTPError) as missing:
        api.paper_info("2501.99999")
    assert missing.value.response.status_code == 404


def test_read_paper_is_markdown_with_links(api: HfApi) -> None:
    text = api.read_paper(PAPER)
    assert text.startswith("# Widget: Sparse Experts for Protein Folding\n")
    assert "Ada Lovelace, Alan Turing" in text and ABSTRACT in text
    assert "- Code: https://github.com/acme/widget" in text
    assert "- Project page: https://acme.github.io/widget/" in text
    assert "javascript:" not in text and "**On the daily list:** 2019-03-05 by alice" in text
    with pytest.raises(HfHubHTTPError):
        api.read_paper("2501.99999")


def hf(hub: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    env.update(HF_ENDPOINT=hub, HF_HOME=str(tmp_path), HF_HUB_DISABLE_TELEMETRY="1",
               HF_HUB_DISABLE_UPDATE_CHECK="1", NO_COLOR="1")
    return subprocess.run(["hf", "papers", *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_hf_papers_cli_commands(hub: str, tmp_path: Path) -> None:
    listed = hf(hub, tmp_path, "ls", "--date", "2019-03-05", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [r["id"] for r in rows] == [PAPER] and rows[0]["submitted_by_name"] == "alice"
    weekly = hf(hub, tmp_path, "ls", "--week", "2019-W10", "--sort", "trending")
    assert weekly.returncode == 0 and PAPER in weekly.stdout, weekly.stderr
    found = hf(hub, tmp_path, "search", "kazakh question answering", "--limit", "3",
               "--format", "json")
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)[0]["id"] == "2404.04487"
    info = hf(hub, tmp_path, "info", PAPER, "--format", "json")
    assert info.returncode == 0, info.stderr
    assert json.loads(info.stdout)["github_repo"] == "https://github.com/acme/widget"
    read = hf(hub, tmp_path, "read", PAPER)
    assert read.returncode == 0 and "## Abstract" in read.stdout and ABSTRACT in read.stdout
    missing = hf(hub, tmp_path, "info", "2501.99999")
    assert missing.returncode != 0 and "not found" in missing.stderr

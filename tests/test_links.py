"""Outside links: only http(s) URLs are imported, rendered on pages and sent by the API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from paperwire.cli import main
from paperwire.links import safe_link
from paperwire.models import IncomingPaper, Paper
from paperwire.storage.sqlite import SqliteStore

BAD = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
       "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "//evil.example/x",
       "https://", "http:///x", "java\tscript:alert(1)", "https://ok.example/a b"]
GOOD = ["https://github.com/a/b", "http://example.org/project?x=1#y"]


@pytest.mark.parametrize("value", BAD)
def test_other_schemes_are_refused(value: str) -> None:
    assert safe_link(value) is None


@pytest.mark.parametrize("value", GOOD)
def test_http_urls_pass(value: str) -> None:
    assert safe_link(value) == value


def hf_item(n: int, repo: str, page: str) -> dict[str, object]:
    return {"paper": {"id": f"2501.0000{n}", "title": f"Paper {n}", "githubRepo": repo,
                      "projectPage": page, "publishedAt": "2025-01-02T00:00:00Z"},
            "organization": {"name": f"org{n}", "fullname": "Org", "avatar": repo}}


def test_import_keeps_the_record_and_reports_each_bad_url(
        cli: CliRunner, tmp_path: Path, store: SqliteStore) -> None:
    items = [hf_item(1, "javascript:alert(1)", "data:text/html,x"),
             hf_item(2, "https://github.com/a/b", "https://example.org/p")]
    path = tmp_path / "papers.json"
    path.write_text(json.dumps(items, indent=1), encoding="utf-8")
    result = cli.invoke(main, ["import", "hf", str(path)])
    assert result.exit_code == 1  # bad fields are errors of the import
    assert "'githubRepo' 'javascript:alert(1)' is not an http(s) URL" in result.output
    assert "'projectPage'" in result.output and "'avatar'" in result.output
    assert f"{path}:" in result.output  # file and line
    first, second = store.get_paper("2501.00001"), store.get_paper("2501.00002")
    assert first is not None and first.title == "Paper 1"  # the record still landed
    assert first.github_repo is None and first.project_page is None
    assert second is not None and second.github_repo == "https://github.com/a/b"


def test_pages_and_api_never_emit_a_stored_dangerous_link(
        client: TestClient, store: SqliteStore) -> None:
    evil = Paper(id="2501.00009", title="Stored before the rule", summary="x",
                 github_repo="javascript:alert(1)", project_page="vbscript:msgbox(1)",
                 pdf_url="data:text/html,x")
    store.upsert_papers([IncomingPaper(evil)])
    pages = [client.get(p).text for p in ("/papers/2501.00009", "/papers", "/search?q=rule")]
    for text in pages:
        assert "javascript:" not in text and "vbscript:" not in text and "data:text" not in text
    api = client.get("/api/papers/2501.00009").json()
    assert api["githubRepo"] is None and api["projectPage"] is None and api["pdfUrl"] is None

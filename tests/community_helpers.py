"""Helpers of the community tests: CSRF-carrying posts, sign-up, papers on today's list."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from paperwire.config import Settings
from paperwire.models import Author, DailySubmission, IncomingPaper, Paper
from paperwire.services.community import today
from paperwire.storage.sqlite import SqliteStore

PASSWORD = "quiet-lantern-42"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(client: TestClient, path: str = "/signup") -> str:
    match = TOKEN.search(client.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post(client: TestClient, path: str, data: dict[str, Any], **kwargs: Any) -> Any:
    """A same-site form POST carrying this browser's CSRF token."""
    return client.post(path, data={**data, "csrf_token": csrf(client)},
                       follow_redirects=False, **kwargs)


def sign_up(client: TestClient, username: str, password: str = PASSWORD) -> None:
    response = post(client, "/signup", {"username": username, "password": password,
                                        "email": f"{username}@example.org"})
    assert response.status_code == 303, response.text


def log_in(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    return post(client, "/login", {"username": username, "password": password})


def new_client(app_client: TestClient) -> TestClient:
    """A second browser on the same app (its own cookies)."""
    return TestClient(app_client.app, base_url="http://testserver")


def add_paper(store: SqliteStore, settings: Settings, paper_id: str, title: str = "A paper",
              *, daily: bool = True, upvotes: int = 0, summary: str = "An abstract.",
              authors: tuple[Author, ...] = (Author("Ada Lovelace"),),
              submitted_by: str | None = None, when: datetime | None = None) -> None:
    when = when or datetime.now(UTC)
    entry = DailySubmission(paper_id, today(settings), when, submitted_by) if daily else None
    paper = Paper(id=paper_id, title=title, summary=summary, authors=authors,
                  imported_upvotes=upvotes, published_at=when)
    store.upsert_papers([IncomingPaper(paper, daily=entry)])



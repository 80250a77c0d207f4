"""GitHub's REST API for repository stars: one conditional GET per repository.

``fetch_repo`` sends ``If-None-Match`` with the ETag of the last answer (a 304 costs no rate
limit), the token when one is set, and reports the rate-limit headers so the caller stops
before the limit, or until the reset time after a 403/429.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx

from paperwire.clock import now_utc
from paperwire.config import Settings
from paperwire.errors import SourceError


@dataclass(frozen=True)
class RepoAnswer:
    status: int
    stars: int | None = None
    etag: str | None = None
    remaining: int | None = None
    reset_at: datetime | None = None

    @property
    def rate_limited(self) -> bool:
        return self.status in (403, 429) and (self.remaining == 0 or self.reset_at is not None)


def repo_path(repo_url: str) -> str:
    """``OWNER/REPO`` of a ``https://github.com/OWNER/REPO`` link."""
    parts = [p for p in urlsplit(repo_url).path.split("/") if p]
    if len(parts) < 2:
        raise SourceError(f"{repo_url!r} is not a GitHub repository link")
    return f"{parts[0]}/{parts[1]}"


def parse_rate(headers: httpx.Headers, status: int) -> tuple[int | None, datetime | None]:
    remaining = headers.get("x-ratelimit-remaining")
    reset = headers.get("x-ratelimit-reset")
    retry_after = headers.get("retry-after")
    reset_at = None
    if reset and reset.isdigit() and (status in (403, 429) or remaining == "0"):
        reset_at = datetime.fromtimestamp(int(reset), UTC)
    if retry_after and retry_after.isdigit() and status in (403, 429):
        reset_at = now_utc() + timedelta(seconds=int(retry_after))
    return (int(remaining) if remaining and remaining.isdigit() else None), reset_at


class GithubSource:
    def __init__(self, settings: Settings, client: httpx.Client | None = None) -> None:
        self.base = settings.github_api_url.rstrip("/")
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28",
                   "User-Agent": f"paperwire (+{settings.contact_email})"}
        if settings.github_token:
            headers["Authorization"] = f"Bearer {settings.github_token}"
        self.headers = headers
        self.client = client or httpx.Client(timeout=settings.arxiv_timeout)

    def fetch_repo(self, repo_url: str, etag: str | None) -> RepoAnswer:
        headers = {**self.headers, **({"If-None-Match": etag} if etag else {})}
        try:
            response = self.client.get(f"{self.base}/repos/{repo_path(repo_url)}", headers=headers)
        except httpx.HTTPError as exc:
            raise SourceError(f"GitHub API {self.base}: {exc}") from exc
        remaining, reset_at = parse_rate(response.headers, response.status_code)
        stars = None
        if response.status_code == 200:
            value = response.json().get("stargazers_count")
            stars = value if isinstance(value, int) and value >= 0 else None
        return RepoAnswer(response.status_code, stars, response.headers.get("etag"), remaining,
                          reset_at)

    def close(self) -> None:
        self.client.close()

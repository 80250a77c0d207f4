"""What the enrichment and listing capabilities need from storage."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from paperwire.models import Paper


class LinksStore(Protocol):
    def list_papers_after(self, after: tuple[str, str] | None, limit: int) -> list[Paper]: ...

    def set_paper_links(self, paper_id: str, github_repo: str | None,
                        project_page: str | None) -> bool: ...

    def set_paper_keywords(self, paper_id: str, keywords: Sequence[str]) -> bool: ...

    def enrichment_watermark(self, name: str) -> int: ...

    def set_enrichment_watermark(self, name: str, value: int) -> None: ...

    def github_repos_due(self, checked_before: datetime, limit: int) -> list[tuple[str, str | None]]: ...

    def save_github_repo(self, repo: str, stars: int | None, etag: str | None, status: int,
                         now: datetime) -> None: ...

    def papers_without_thumbnail(self, max_tries: int, limit: int) -> list[str]: ...

    def set_thumbnail(self, paper_id: str, key: str | None) -> None: ...

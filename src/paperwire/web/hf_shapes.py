"""JSON in the shapes of the Hugging Face papers API (pure), so existing clients work."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from paperwire.ids import is_arxiv_id
from paperwire.links import safe_link
from paperwire.models import DailyEntry, Organization, Paper


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat().replace("+00:00", "Z")


def build_organization(org: Organization | None) -> dict[str, Any] | None:
    if org is None:
        return None
    return {"_id": org.name, "name": org.name, "fullname": org.fullname, "avatar": safe_link(org.avatar)}


def build_paper(paper: Paper, daily: DailyEntry | None = None) -> dict[str, Any]:
    """The ``paper`` object: id, authors, dates, title, summary, upvotes, links."""
    return {
        "id": paper.id,
        "authors": [
            {"_id": f"{paper.id}#{i}", "name": a.name, "hidden": a.hidden,
             "status": "claimed_verified" if a.user else "extracted_pending",
             **({"user": {"user": a.user}} if a.user else {})}
            for i, a in enumerate(paper.authors)
        ],
        "numAuthors": paper.shown_author_count,
        "publishedAt": iso(paper.published_at),
        "title": paper.title,
        "summary": paper.summary,
        "upvotes": paper.upvotes,
        "discussionId": paper.id,
        "ai_keywords": list(paper.ai_keywords),
        "githubRepo": safe_link(paper.github_repo),
        "githubStars": paper.github_stars,
        "projectPage": safe_link(paper.project_page),
        "mediaUrls": [],
        "submittedOnDailyAt": iso(daily.submitted_at) if daily else None,
        "submittedOnDailyBy": {"user": daily.submitted_by} if daily and daily.submitted_by
        else None,
        "withdrawnAt": iso(paper.withdrawn_at),
        "categories": list(paper.categories),
        "version": paper.version,
        "arxivUrl": f"https://arxiv.org/abs/{paper.id}" if is_arxiv_id(paper.id) else None,
        "pdfUrl": safe_link(paper.pdf_url),
        "organization": build_organization(paper.organization),
    }


def build_daily_item(entry: DailyEntry) -> dict[str, Any]:
    """One item of ``/api/daily_papers``."""
    paper = entry.paper
    return {
        "paper": build_paper(paper, entry),
        "publishedAt": iso(entry.submitted_at),
        "title": paper.title,
        "summary": paper.summary,
        "thumbnail": None,
        "mediaUrls": [],
        "numComments": paper.num_comments,
        "submittedBy": {"user": entry.submitted_by} if entry.submitted_by else None,
        "organization": build_organization(paper.organization),
        "isAuthorParticipating": any(a.user for a in paper.authors),
    }

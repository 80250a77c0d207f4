"""JSON in the shapes of the Hugging Face papers API (pure), so existing clients work.

``huggingface_hub``'s ``PaperInfo`` reads the link fields (``githubRepo``, ``githubStars``,
``projectPage``, ``ai_keywords``) from the top level of a listing item, not from its
``paper`` object, so listing items carry them at both levels.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from paperwire.ids import is_arxiv_id
from paperwire.links import safe_link
from paperwire.models import DailyEntry, Organization, Paper
from paperwire.web.links import thumbnail_url


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat().replace("+00:00", "Z")


def build_organization(org: Organization | None) -> dict[str, Any] | None:
    if org is None:
        return None
    avatar = safe_link(org.avatar)
    return {"_id": org.name, "name": org.name, "fullname": org.fullname, "avatar": avatar,
            "avatarUrl": avatar}


def build_user(username: str | None) -> dict[str, Any] | None:
    """A user reference (``submittedBy``, an author's ``user``): paperwire knows the name."""
    if not username:
        return None
    return {"_id": username, "user": username, "fullname": username, "type": "user"}


def build_links(paper: Paper) -> dict[str, Any]:
    """The enrichment fields: code, stars, project page, keywords."""
    return {
        "ai_keywords": list(paper.ai_keywords),
        "githubRepo": safe_link(paper.github_repo),
        "githubStars": paper.github_stars,
        "projectPage": safe_link(paper.project_page),
    }


def build_authors(paper: Paper) -> list[dict[str, Any]]:
    return [
        {"_id": f"{paper.id}#{i}", "name": a.name, "hidden": a.hidden,
         "status": "claimed_verified" if a.user else "extracted_pending",
         **({"user": build_user(a.user)} if a.user else {})}
        for i, a in enumerate(paper.authors)
    ]


def build_paper(paper: Paper, daily: DailyEntry | None = None) -> dict[str, Any]:
    """The ``paper`` object: id, authors, dates, title, summary, upvotes, links."""
    return {
        "id": paper.id,
        "authors": build_authors(paper),
        "numAuthors": paper.shown_author_count,
        "publishedAt": iso(paper.published_at),
        "title": paper.title,
        "summary": paper.summary,
        "upvotes": paper.upvotes,
        "numComments": paper.num_comments,
        "discussionId": paper.id,
        **build_links(paper),
        "mediaUrls": [],
        "submittedOnDailyAt": iso(daily.submitted_at) if daily else None,
        "submittedOnDailyBy": build_user(daily.submitted_by) if daily else None,
        "withdrawnAt": iso(paper.withdrawn_at),
        "categories": list(paper.categories),
        "version": paper.version,
        "arxivUrl": f"https://arxiv.org/abs/{paper.id}" if is_arxiv_id(paper.id) else None,
        "pdfUrl": safe_link(paper.pdf_url),
        "organization": build_organization(paper.organization),
        "source": paper.source or None,
    }


def build_daily_item(entry: DailyEntry, base_url: str = "") -> dict[str, Any]:
    """One item of ``/api/daily_papers`` (``thumbnail``: an absolute URL on ``base_url``)."""
    paper = entry.paper
    return {
        "paper": build_paper(paper, entry),
        "publishedAt": iso(entry.submitted_at),
        "title": paper.title,
        "summary": paper.summary,
        "thumbnail": thumbnail_url(paper, base_url),
        "mediaUrls": [],
        "numComments": paper.num_comments,
        "submittedBy": build_user(entry.submitted_by),
        "organization": build_organization(paper.organization),
        "isAuthorParticipating": any(a.user for a in paper.authors),
        **build_links(paper),
    }

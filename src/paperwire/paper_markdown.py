"""A paper as Markdown (pure): what ``/papers/{id}.md``, ``hf papers read`` and the MCP
``get_paper`` tool return. Title, authors, dates, links, keywords, abstract and, when asked,
the visible comments as a thread."""

from __future__ import annotations

from collections.abc import Sequence

from paperwire.ids import is_arxiv_id
from paperwire.models import DailyEntry, Paper
from paperwire.models_community import Comment


def _one_line(text: str) -> str:
    return " ".join(text.split())


def render_links(paper: Paper) -> list[str]:
    lines: list[str] = []
    if is_arxiv_id(paper.id):
        lines.append(f"- arXiv: https://arxiv.org/abs/{paper.id}")
    if paper.pdf_url:
        lines.append(f"- PDF: {paper.pdf_url}")
    if paper.github_repo:
        stars = f" ({paper.github_stars} stars)" if paper.github_stars is not None else ""
        lines.append(f"- Code: {paper.github_repo}{stars}")
    if paper.project_page:
        lines.append(f"- Project page: {paper.project_page}")
    return lines


def render_facts(paper: Paper, daily: DailyEntry | None) -> list[str]:
    authors = ", ".join(a.name for a in paper.authors if not a.hidden)
    hidden = paper.shown_author_count - len([a for a in paper.authors if not a.hidden])
    facts = [f"**Authors:** {authors}{f' and {hidden} more' if hidden > 0 else ''}"]
    if paper.published_at is not None:
        facts.append(f"**Published:** {paper.published_at.date().isoformat()}")
    if daily is not None:
        by = f" by {daily.submitted_by}" if daily.submitted_by else ""
        facts.append(f"**On the daily list:** {daily.day.isoformat()}{by}")
    if paper.organization is not None:
        facts.append(f"**Organization:** {paper.organization.fullname}")
    if paper.categories:
        facts.append(f"**Categories:** {', '.join(paper.categories)}")
    facts.append(f"**Upvotes:** {paper.upvotes} · **Comments:** {paper.num_comments}")
    if paper.ai_keywords:
        facts.append(f"**Keywords:** {', '.join(paper.ai_keywords)}")
    if paper.withdrawn_at is not None:
        facts.append(f"**Withdrawn:** {paper.withdrawn_at.date().isoformat()}")
    return facts


def render_comments(comments: Sequence[Comment]) -> list[str]:
    """Visible comments, replies indented under their parent, oldest first."""
    children: dict[int | None, list[Comment]] = {}
    for comment in sorted(comments, key=lambda c: (c.created_at, c.id)):
        children.setdefault(comment.parent_id, []).append(comment)
    lines: list[str] = []

    def walk(parent: int | None, depth: int) -> None:
        for comment in children.get(parent, []):
            if comment.visible:
                when = comment.created_at.date().isoformat()
                lines.append(f"{'  ' * depth}- **{comment.username}** ({when}): "
                             f"{_one_line(comment.body)}")
            walk(comment.id, depth + 1)

    walk(None, 0)
    return lines


def render_paper_markdown(paper: Paper, daily: DailyEntry | None = None,
                          comments: Sequence[Comment] | None = None) -> str:
    """The paper page as Markdown; ``comments`` None leaves the comments section out."""
    parts = [f"# {_one_line(paper.title)}", "", *(f"- {fact}" for fact in render_facts(paper, daily))]
    links = render_links(paper)
    if links:
        parts += ["", "## Links", "", *links]
    parts += ["", "## Abstract", "", paper.summary.strip() or "(no abstract)"]
    if comments is not None:
        thread = render_comments(comments)
        parts += ["", f"## Comments ({len(thread)})", "", *(thread or ["No comments yet."])]
    return "\n".join(parts) + "\n"

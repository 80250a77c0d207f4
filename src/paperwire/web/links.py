"""Safe links: only ``http``/``https`` URLs become links. The ``safe_href`` template filter
passes every outside link on a page, ``safe_url`` checks one URL, and URLs in plain text become
links through ``linkify`` (the text is escaped, the link text is the URL as written)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from markupsafe import Markup, escape

from paperwire.ids import is_arxiv_id
from paperwire.links import safe_link
from paperwire.models import Paper
from paperwire.services.thumbnails import thumbnail_name

URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'{}|\\^`]+", re.IGNORECASE)
TRAILING = ".,;:!?)]'\""


def safe_url(url: str) -> str | None:
    """``url`` (stripped) when ``paperwire.links.safe_link`` accepts it."""
    return safe_link(url.strip())


def render_href(value: str | None) -> str:
    """The link when it is http(s), else "" (templates then leave the link out)."""
    return safe_link(value) or ""


def trim_url(url: str) -> tuple[str, str]:
    """Split punctuation that ends a sentence off a URL (keeping balanced parentheses)."""
    tail = ""
    while url and url[-1] in TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url, tail = url[:-1], url[-1] + tail
    return url, tail


def link_html(url: str) -> Markup:
    """A link to ``url`` when ``safe_url`` accepts it, else the URL as escaped text."""
    target = safe_url(url)
    if target is None:
        return escape(url)
    return Markup('<a href="{}" rel="nofollow noopener">{}</a>').format(target, url)


def linkify(text: str) -> Markup:
    """Escape ``text`` and turn its http(s) URLs into links."""
    out: list[str] = []
    pos = 0
    for match in URL_IN_TEXT.finditer(text):
        url, tail = trim_url(match.group(0))
        out += [str(escape(text[pos:match.start()])), str(link_html(url)), str(escape(tail))]
        pos = match.end()
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def render_marked(parts: Iterable[Mapping[str, str]]) -> Markup:
    """Highlight parts (``{"type": "text"|"highlight", "text": ...}``) as escaped HTML, each
    highlight in ``<mark>`` (one call for a whole text: a template loop cost ten times more)."""
    return Markup("".join(f"<mark>{escape(part['text'])}</mark>" if part["type"] == "highlight"
                          else str(escape(part["text"])) for part in parts))


def thumbnail_url(paper: Paper, base_url: str = "") -> str | None:
    """Where the paper's first-page picture is served (``None`` when it has none); the key in
    the query changes with the picture, so caches never show an old one."""
    if not paper.thumbnail:
        return None
    return f"{base_url}/thumbnails/{thumbnail_name(paper.id)}?v={paper.thumbnail}"


@dataclass(frozen=True)
class PaperLink:
    label: str
    url: str
    kind: str


def paper_links(paper: Paper) -> list[PaperLink]:
    """Where to read a paper: arXiv and its PDF when the id is an arXiv id (else a title search
    on arXiv), the code and the project page; every URL passes ``safe_url``."""
    found: list[PaperLink] = []
    if is_arxiv_id(paper.id):
        found.append(PaperLink("arXiv", f"https://arxiv.org/abs/{paper.id}", "arxiv"))
        pdf = safe_url(paper.pdf_url or "") or f"https://arxiv.org/pdf/{paper.id}"
        found.append(PaperLink("PDF", pdf, "pdf"))
    elif paper.title:
        query = urlencode({"query": paper.title[:300], "searchtype": "title"})
        found.append(PaperLink("Find on arXiv", f"https://arxiv.org/search/?{query}", "search"))
    if code := safe_url(paper.github_repo or ""):
        stars = f" ★ {paper.github_stars}" if paper.github_stars else ""
        found.append(PaperLink(f"Code{stars}", code, "code"))
    if page := safe_url(paper.project_page or ""):
        found.append(PaperLink("Project page", page, "project"))
    return found

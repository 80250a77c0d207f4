"""Comments in a Markdown subset, rendered safely: markdown-it-py with raw HTML off, then nh3
keeps only a fixed set of tags and http(s)/mailto links."""

from __future__ import annotations

import secrets
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

from paperwire.web.mathtext import math_spans

TAGS = {"p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr",
        "h3", "h4", "h5", "h6"}
ATTRIBUTES = {"a": {"href", "title"}}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    return parser.disable(["image", "html_block", "html_inline"])


def render_comment_html(text: str) -> Markup:
    """Safe HTML for a comment body (links get rel="nofollow noopener ugc"). Math (``$…$``,
    ``$$…$$``) is taken out before Markdown sees it and comes back as the MathML of
    ``mathtext`` (sanitized there), so ``_`` and ``*`` inside formulas stay math."""
    spans = math_spans(text)
    marker = f"pwmath{secrets.token_hex(4)}x"
    pieces, last = [], 0
    for index, (start, end, _) in enumerate(spans):
        pieces += [text[last:start], f"{marker}{index}x"]
        last = end
    pieces.append(text[last:])
    html = _parser().render("".join(pieces))
    clean = nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES,
                      url_schemes={"http", "https", "mailto"},
                      link_rel="nofollow noopener ugc")
    for index, (_, _, mathml) in enumerate(spans):
        clean = clean.replace(f"{marker}{index}x", mathml, 1)
    return Markup(clean)

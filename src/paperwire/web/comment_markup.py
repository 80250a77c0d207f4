"""Comments in a Markdown subset, rendered safely: markdown-it-py with raw HTML off, then nh3
keeps only a fixed set of tags and http(s)/mailto links."""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

TAGS = {"p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr",
        "h3", "h4", "h5", "h6"}
ATTRIBUTES = {"a": {"href", "title"}}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    return parser.disable(["image", "html_block", "html_inline"])


def render_comment_html(text: str) -> Markup:
    """Safe HTML for a comment body (links get rel="nofollow noopener ugc")."""
    html = _parser().render(text)
    clean = nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES,
                      url_schemes={"http", "https", "mailto"},
                      link_rel="nofollow noopener ugc")
    return Markup(clean)

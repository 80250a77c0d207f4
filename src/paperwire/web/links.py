"""Safe links: only ``http``/``https`` URLs become links, and URLs in plain text become links
through ``linkify`` (the text is escaped, the link text is the URL as written)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from markupsafe import Markup, escape

URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'{}|\\^`]+", re.IGNORECASE)
TRAILING = ".,;:!?)]'\""
MAX_URL = 2_000


def safe_url(url: str) -> str | None:
    """``url`` when it is an absolute http(s) URL with a host and no control characters."""
    url = url.strip()
    if not url or len(url) > MAX_URL or any(ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def _trim(url: str) -> tuple[str, str]:
    """Split punctuation that ends a sentence off a URL (keeping balanced parentheses)."""
    tail = ""
    while url and url[-1] in TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url, tail = url[:-1], url[-1] + tail
    return url, tail


def linkify(text: str | Markup) -> Markup:
    """Escape ``text`` (unless it is already Markup) and turn its http(s) URLs into links."""
    source = text if isinstance(text, Markup) else escape(text)
    out: list[str] = []
    pos = 0
    for match in URL_IN_TEXT.finditer(source):
        raw, tail = _trim(match.group(0))
        target = safe_url(Markup(raw).unescape())
        out.append(source[pos:match.start()])
        if target is None:
            out.append(raw + tail)
        else:
            out.append(f'<a href="{escape(target)}" rel="nofollow noopener">{raw}</a>{tail}')
        pos = match.end()
    out.append(source[pos:])
    return Markup("".join(out))

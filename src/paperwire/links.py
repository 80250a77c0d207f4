"""The one rule for outside links (pure): only absolute ``http``/``https`` URLs with a host.

Importers keep only such URLs (a bad one is reported, its record still lands); pages, feeds
and the JSON API pass every stored link through ``safe_link`` again, so a value stored before
this rule (``javascript:``, ``data:``, ``vbscript:``…) is never emitted.

``parse_links(texts)`` looks through an abstract, an arXiv comment or other metadata for
URLs. Only ``http`` and ``https`` URLs with a real host name are kept. The first GitHub
repository (``github.com/OWNER/REPO``, with or without a scheme) becomes the code link; the
project page is the first ``*.github.io`` site, or the first other web page introduced by
words such as "project page", "website" or "demo". Archive, DOI and licence links never count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

URL = re.compile(r"(?:https?://|(?<![\w./@-])(?=github\.com/))[^\s<>\"'`{}|\\^]+", re.IGNORECASE)
TRAILING = ".,;:!?)]}'\"*"
PAGE_CUE = re.compile(r"(project|page|website|homepage|home page|site|demo|visit|webpage)"
                      r"[^.]{0,40}$", re.IGNORECASE)
NOT_PAGES = ("arxiv.org", "doi.org", "github.com", "creativecommons.org", "openreview.net",
             "aclanthology.org", "ieeexplore.ieee.org", "dl.acm.org", "gitlab.com")
GITHUB_RESERVED = {"about", "features", "topics", "orgs", "sponsors", "marketplace", "search",
                   "settings", "login", "join", "collections", "trending", "explore", "apps"}
MAX_URL = 500
MAX_LENGTH = 2000
_CONTROL = {chr(c) for c in range(0x21)} | {"\x7f"}


@lru_cache(maxsize=16_384)  # pages and API items check each link of a paper twice or more
def safe_link(value: str | None) -> str | None:
    """``value`` when it is an http(s) URL with a host and no spaces or control characters."""
    if not value or len(value) > MAX_LENGTH or any(c in _CONTROL for c in value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return value


@dataclass(frozen=True)
class Links:
    github_repo: str | None = None
    project_page: str | None = None


def clean_url(raw: str) -> str | None:
    """An http(s) URL with a dotted host and no credentials, or None."""
    url = raw.rstrip(TRAILING)
    if url.count("(") < url.count(")"):
        url = url[: url.rfind(")")]
    if not url.lower().startswith(("http://", "https://")):
        url = "https://" + url
    if len(url) > MAX_URL or any(ord(c) < 33 or ord(c) == 127 for c in url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        _ = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or parts.username or parts.password:
        return None
    if "." not in host or not re.fullmatch(r"[a-z0-9.-]+", host) or host.endswith("."):
        return None
    return url


def github_repo_of(url: str) -> str | None:
    """``https://github.com/OWNER/REPO`` for a URL inside a GitHub repository."""
    parts = urlsplit(url)
    if (parts.hostname or "") not in ("github.com", "www.github.com"):
        return None
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) < 2 or segments[0].lower() in GITHUB_RESERVED:
        return None
    owner, repo = segments[0], segments[1].removesuffix(".git")
    if not re.fullmatch(r"[A-Za-z0-9-]{1,39}", owner) or not re.fullmatch(r"[\w.-]{1,100}", repo):
        return None
    return f"https://github.com/{owner}/{repo}"


def _is_page(url: str, before: str) -> bool:
    host = urlsplit(url).hostname or ""
    if any(host == h or host.endswith("." + h) for h in NOT_PAGES):
        return False
    return host.endswith(".github.io") or PAGE_CUE.search(before) is not None


def parse_links(texts: list[str | None]) -> Links:
    """The first code repository and project page mentioned in ``texts``."""
    repo: str | None = None
    page: str | None = None
    for text in texts:
        for match in URL.finditer(text or ""):
            url = clean_url(match.group(0))
            if url is None:
                continue
            if repo is None and (found := github_repo_of(url)):
                repo = found
            elif page is None and _is_page(url, (text or "")[max(0, match.start() - 60):
                                                               match.start()]):
                page = url
    return Links(repo, page)

"""arXiv identifiers (pure): parse, normalize and print them back.

New style: ``YYMM.NNNN`` (2007-2014) or ``YYMM.NNNNN`` (2015 on), optional ``vN``.
Old style: ``archive/YYMMNNN`` or ``archive.SUBJ/YYMMNNN`` (``hep-th/9901001``,
``math.GT/0309136``), optional ``vN``. The base id (without version) is the catalog key.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from paperwire.errors import InvalidInput

_NEW = re.compile(r"(?P<base>\d{4}\.\d{4,5})(?:v(?P<version>[1-9]\d*))?")
_OLD = re.compile(
    r"(?P<base>(?P<archive>[a-z]+(?:-[a-z]+)*)(?:\.(?P<subj>[A-Za-z]{2}))?/\d{7})"
    r"(?:v(?P<version>[1-9]\d*))?"
)
_PREFIXES = (
    "https://arxiv.org/abs/",
    "http://arxiv.org/abs/",
    "https://arxiv.org/pdf/",
    "http://arxiv.org/pdf/",
    "https://export.arxiv.org/abs/",
    "http://export.arxiv.org/abs/",
    "oai:arxiv.org:",
    "arxiv:",
)


@dataclass(frozen=True)
class ArxivId:
    """A parsed arXiv id: ``base`` is the key, ``version`` is None when not given."""

    base: str
    version: int | None = None

    def __str__(self) -> str:
        return self.base if self.version is None else f"{self.base}v{self.version}"

    @property
    def is_old_style(self) -> bool:
        return "/" in self.base


def parse_arxiv_id(text: str) -> ArxivId:
    """Parse an id or an arXiv URL; raise InvalidInput saying what was wrong."""
    raw = text.strip()
    lowered = raw.lower()
    for prefix in _PREFIXES:
        if lowered.startswith(prefix):
            raw = raw[len(prefix) :]
            break
    raw = raw.removesuffix(".pdf").rstrip("/")
    for pattern in (_NEW, _OLD):
        match = pattern.fullmatch(raw)
        if match:
            version = match.group("version")
            return ArxivId(match.group("base"), int(version) if version else None)
    raise InvalidInput(f"{text!r} is not an arXiv id (expected e.g. 2310.12345v2 or hep-th/9901001)")


def is_arxiv_id(text: str) -> bool:
    """True when ``text`` parses as an arXiv id (with or without a version)."""
    try:
        parse_arxiv_id(text)
    except InvalidInput:
        return False
    return True


def base_id(text: str) -> str:
    """The base id of ``text``, for use as a catalog key."""
    return parse_arxiv_id(text).base


def title_key(title: str) -> str:
    """The normalized title used to match the same paper across sources."""
    folded = unicodedata.normalize("NFKD", title).casefold()
    return " ".join(re.findall(r"[^\W_]+", folded))


def derived_id(title: str) -> str:
    """A stable id for a paper that arrives without one, derived from its normalized title."""
    key = title_key(title)
    slug = "-".join(key.split())[:60].strip("-") or "paper"
    slug = re.sub(r"[^a-z0-9-]", "", slug) or "paper"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]
    return f"{slug}-{digest}"

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
from functools import lru_cache

from paperwire.errors import InvalidInput

_NEW = re.compile(r"(?P<base>(?P<yymm>\d{4})\.(?P<num>\d{4,5}))(?:v(?P<version>[1-9]\d*))?")
_OLD = re.compile(
    r"(?P<base>(?P<archive>[a-z]+(?:-[a-z]+)*)(?:\.(?P<subj>[A-Za-z]{2}))?/(?P<yymm>\d{4})\d{3})"
    r"(?:v(?P<version>[1-9]\d*))?"
)
_PREFIX = re.compile(
    r"^(?:(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/|oai:arxiv\.org:|arxiv:)",
    re.IGNORECASE,
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

    @property
    def abs_url(self) -> str:
        """The arXiv abstract page (old-style ids keep their ``/``: it is part of the path)."""
        return f"https://arxiv.org/abs/{self}"

    @property
    def pdf_url(self) -> str:
        return f"https://arxiv.org/pdf/{self}"

    @property
    def oai_identifier(self) -> str:
        return f"oai:arXiv.org:{self.base}"


def _check_date(match: re.Match[str], raw: str) -> str | None:
    """Why a syntactically fine id cannot exist (bad month, wrong digit count), or None."""
    yymm = match.group("yymm")
    month = int(yymm[2:])
    if not 1 <= month <= 12:
        return f"month {yymm[2:]} in {raw!r} is not 01-12"
    if "num" not in match.groupdict():
        return None
    year = int(yymm[:2])
    digits = len(match.group("num"))
    if yymm < "0704":
        return f"{raw!r}: new-style ids start in April 2007 (0704)"
    if year >= 15 and digits != 5:
        return f"{raw!r}: ids from 2015 on have 5 digits after the dot"
    if year < 15 and digits != 4:
        return f"{raw!r}: ids before 2015 have 4 digits after the dot"
    return None


def parse_arxiv_id(text: str) -> ArxivId:
    """Parse an id or an arXiv URL; raise InvalidInput saying what was wrong."""
    if not isinstance(text, str) or len(text) > 200:
        raise InvalidInput("an arXiv id must be a short string", field="arxiv_id")
    raw = _PREFIX.sub("", text.strip())
    raw = raw.removesuffix(".pdf").rstrip("/")
    for pattern in (_NEW, _OLD):
        match = pattern.fullmatch(raw)
        if match:
            problem = _check_date(match, raw)
            if problem:
                raise InvalidInput(problem, field="arxiv_id")
            version = match.group("version")
            return ArxivId(match.group("base"), int(version) if version else None)
    raise InvalidInput(
        f"{text[:80]!r} is not an arXiv id (expected e.g. 2310.12345v2 or hep-th/9901001)",
        field="arxiv_id",
    )


@lru_cache(maxsize=65_536)
def is_arxiv_id(text: str) -> bool:
    """True when ``text`` parses as an arXiv id (with or without a version); remembered,
    since every paper of a listing or search answer asks."""
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


def title_hash(key: str) -> int:
    """A signed 64-bit hash of a normalized title: a small index key for title matching."""
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def derived_id(title: str) -> str:
    """A stable id for a paper that arrives without one, derived from its normalized title."""
    key = title_key(title)
    slug = "-".join(key.split())[:60].strip("-") or "paper"
    slug = re.sub(r"[^a-z0-9-]", "", slug) or "paper"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]
    return f"{slug}-{digest}"

"""Text normalization shared by every source, and author lists in short (pure)."""

from __future__ import annotations

import re
from collections.abc import Sequence

_SPACE = re.compile(r"\s+")


def clean_text(value: str) -> str:
    """Collapse runs of white space (newlines included) and strip NUL; LaTeX is left as is."""
    return _SPACE.sub(" ", value.replace("\x00", "")).strip()


def shorten_authors(names: Sequence[str], count: int = 0, first: int = 3) -> str:
    """"A, B, C and 4 more" for the first ``first`` names of ``count`` (or of the names, if
    more), or "5 authors" / "1 author" when no name may be shown ("" when the count is 0)."""
    total = max(count, len(names))
    if not names:
        return f"{total} authors" if total > 1 else ("1 author" if total == 1 else "")
    rest = total - min(first, len(names))
    return ", ".join(names[:first]) + (f" and {rest} more" if rest > 0 else "")

"""Text normalization shared by every source, and author lists in short (pure)."""

from __future__ import annotations

import re
from collections.abc import Sequence

_SPACE = re.compile(r"\s+")


def clean_text(value: str) -> str:
    """Collapse runs of white space (newlines included) and strip NUL; LaTeX is left as is."""
    return _SPACE.sub(" ", value.replace("\x00", "")).strip()


def shorten_authors(names: Sequence[str], count: int = 0, first: int = 3) -> str:
    """"A, B, C et al." for the first ``first`` names, or "5 authors" / "1 author" when no
    name may be shown and only the ``count`` is known ("" when that is 0 too)."""
    if not names:
        return f"{count} authors" if count > 1 else ("1 author" if count == 1 else "")
    return ", ".join(names[:first]) + (" et al." if len(names) > first else "")

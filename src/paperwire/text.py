"""Text normalization shared by every source (pure)."""

from __future__ import annotations

import re

_SPACE = re.compile(r"\s+")


def clean_text(value: str) -> str:
    """Collapse runs of white space (newlines included) and strip NUL; LaTeX is left as is."""
    return _SPACE.sub(" ", value.replace("\x00", "")).strip()

"""The ``safe_href`` template filter: every outside link on a page goes through it."""

from __future__ import annotations

from paperwire.links import safe_link


def render_href(value: str | None) -> str:
    """The link when it is http(s), else "" (templates then leave the link out)."""
    return safe_link(value) or ""

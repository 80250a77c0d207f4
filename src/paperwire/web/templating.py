"""Jinja2 environment (autoescaping on) and the ``render`` helper used by every page route."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from paperwire.models_personal import Collection
from paperwire.services import collections
from paperwire.web import mathtext
from paperwire.web.comment_markup import render_comment_html
from paperwire.web.deps import services_of
from paperwire.web.links import render_href
from paperwire.web.sessions import current_user


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("paperwire.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["math"] = mathtext.render_math_html
    env.filters["authors_short"] = mathtext.render_authors_short
    env.filters["safe_href"] = render_href
    env.filters["comment_html"] = render_comment_html
    env.globals["my_collections"] = my_collections
    return env


def my_collections(request: Request) -> list[Collection]:
    """The signed-in user's collections (the Save button's choices)."""
    return collections.mine(services_of(request).store, current_user(request))


def render(request: Request, template: str, context: dict[str, Any],
           status: int = 200) -> HTMLResponse:
    settings = services_of(request).settings
    page_context = {
        "request": request,
        "settings": settings,
        "site_name": settings.site_name,
        "user": getattr(request.state, "user", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        **context,
    }
    html = environment().get_template(template).render(page_context)
    return HTMLResponse(html, status_code=status)

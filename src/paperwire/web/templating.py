"""Jinja2 environment (autoescaping on) and the ``render`` helper used by every page route."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from paperwire.models_personal import Collection
from paperwire.periods import human_date
from paperwire.services import collections, submission_queue
from paperwire.web import links, mathtext
from paperwire.web.comment_markup import render_comment_html
from paperwire.web.deps import services_of
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
    env.filters["excerpt"] = mathtext.render_excerpt
    env.filters["safe_href"] = links.render_href
    env.filters["comment_html"] = render_comment_html
    env.filters["submission_state"] = submission_queue.describe
    env.filters["linkify"] = links.linkify
    env.filters["marked"] = links.render_marked
    env.filters["human_date"] = human_date
    env.filters["count_of"] = count_of
    env.globals["safe_url"] = links.safe_url
    env.globals["paper_links"] = links.paper_links
    env.globals["thumbnail_url"] = links.thumbnail_url
    env.globals["my_collections"] = my_collections
    return env


def count_of(count: int, noun: str) -> str:
    """``1 paper``, ``3 papers``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


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

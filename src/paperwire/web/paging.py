"""``Link`` headers for paged listings (RFC 8288, the format GitHub and the Hugging Face
Hub use): ``<url>; rel="next"`` and friends, built from the request's own URL."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Request


def build_link_header(request: Request, rels: Mapping[str, Mapping[str, str | int]]) -> str:
    """``rels`` maps a relation (next, prev, first, last) to the query parameters to change."""
    links = []
    for rel, params in rels.items():
        url = request.url.include_query_params(**params)
        links.append(f'<{url}>; rel="{rel}"')
    return ", ".join(links)


def page_rels(page: int, has_next: bool, last: int | None = None) -> dict[str, dict[str, int]]:
    """Relations for numbered pages (``p`` from 0); ``last`` when the total is known."""
    rels: dict[str, dict[str, int]] = {}
    if has_next:
        rels["next"] = {"p": page + 1}
    if page > 0:
        rels["prev"] = {"p": page - 1}
        rels["first"] = {"p": 0}
    if last is not None and last > page:
        rels["last"] = {"p": last}
    return rels

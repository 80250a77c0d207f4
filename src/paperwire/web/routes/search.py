"""Routes of the search capability: the search API and page, similar papers.

Requests only read the indexes (a GET never writes) and wait at most
``PAPERWIRE_SEARCH_DEADLINE`` seconds for them: past it the API answers 503 with
``Retry-After`` and a page leaves "Similar papers" out. The app's lifespan runs the background
refresher (``services.search_refresher``, started in ``web.app``), so papers imported while
``serve`` or ``demo`` runs become searchable within seconds.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from paperwire.errors import Unavailable
from paperwire.models import Paper
from paperwire.search.records import SearchFilters, SearchHit
from paperwire.services.search import MAX_LIMIT, SearchService
from paperwire.web.deps import SearchDep, SettingsDep
from paperwire.web.hf_shapes import build_organization, build_paper, iso
from paperwire.web.routes.api import RESPONSES
from paperwire.web.templating import render

router = APIRouter()
log = logging.getLogger(__name__)
Q = Annotated[str, Query(description="Search text, up to 250 characters")]
Mode = Annotated[str, Query(max_length=20, description="hybrid, keyword or semantic")]
Day = Annotated[date | None, Query(description="YYYY-MM-DD")]
Text = Annotated[str | None, Query(max_length=100)]


def build_filters(date_from: date | None, date_to: date | None, category: str | None,
                  organization: str | None, has_code: bool) -> SearchFilters:
    categories = tuple(c.strip() for c in (category or "").split(",") if c.strip())
    return SearchFilters(date_from, date_to, categories, organization or None, has_code)


def build_search_item(hit: SearchHit) -> dict[str, Any]:
    """One item of ``/api/papers/search`` (the HF shape plus ``score``)."""
    paper = hit.paper
    return {
        "paper": build_paper(paper),
        "publishedAt": iso(paper.published_at),
        "title": paper.title,
        "summary": paper.summary,
        "thumbnail": None,
        "numComments": paper.num_comments,
        "upvoted": False,
        "isAuthorParticipating": any(a.user for a in paper.authors),
        "organization": build_organization(paper.organization),
        "highlightedTitle": list(hit.highlighted_title),
        "highlightedSummary": list(hit.highlighted_summary),
        "score": round(hit.score, 6),
    }


@router.get("/api/papers/search", tags=["search"], responses=RESPONSES,
            summary="Search papers")
def search_api(
    search: SearchDep, q: Q = "", mode: Mode = "hybrid",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
    p: Annotated[int, Query(ge=0, le=1000, description="page, from 0")] = 0,
    date_from: Day = None, date_to: Day = None, category: Text = None,
    organization: Text = None, has_code: bool = False,
) -> list[dict[str, Any]]:
    """Papers matching ``q`` (keyword, semantic or hybrid), with highlighted matches."""
    filters = build_filters(date_from, date_to, category, organization, has_code)
    results = search.within_deadline(
        lambda: search.search(q, mode, limit, p * limit, filters, refresh=False))
    return [build_search_item(hit) for hit in results.hits]


@router.get("/api/papers/{paper_id:path}/similar", tags=["search"], responses=RESPONSES,
            summary="Papers similar to one paper")
def similar_api(search: SearchDep, paper_id: str,
                limit: Annotated[int, Query(ge=1, le=50)] = 10) -> list[dict[str, Any]]:
    """Papers nearest to this one by meaning."""
    papers = search.within_deadline(lambda: search.similar(paper_id, limit, refresh=False))
    return [build_paper(paper) for paper in papers]


@router.get("/search", include_in_schema=False)
def search_page(
    request: Request, search: SearchDep, settings: SettingsDep,
    q: Annotated[str, Query()] = "", mode: Mode = "hybrid",
    p: Annotated[int, Query(ge=0, le=1000)] = 0, date_from: Day = None, date_to: Day = None,
    category: Text = None, organization: Text = None, has_code: bool = False,
) -> Response:
    """The search page: a form, highlighted results, filters and paging."""
    filters = build_filters(date_from, date_to, category, organization, has_code)
    context: dict[str, Any] = {"query": q, "mode": mode, "filters": filters, "results": None,
                               "category": category or "", "page_no": p}
    if q.strip():
        size = settings.page_size
        context["results"] = search.within_deadline(
            lambda: search.search(q, mode, size, p * size, filters, refresh=False))
    return render(request, "search.html", context)


def similar_papers(search: SearchService, paper_id: str, limit: int = 5) -> list[Paper]:
    """Similar papers from the indexes as they are, within the search deadline (never fails
    or holds up the page showing them: none then)."""
    try:
        return list(search.within_deadline(lambda: search.similar_to_papers([paper_id], limit)))
    except Unavailable:
        log.warning("similar papers for %s left out: past the search deadline", paper_id)
        return []
    except Exception:  # a page must render even when the search files are unusable
        log.exception("similar papers for %s failed", paper_id)
        return []

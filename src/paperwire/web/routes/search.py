"""Routes of the search capability: the search API and page, similar papers.

Requests only read the indexes (a GET never writes) and wait at most
``PAPERWIRE_SEARCH_DEADLINE`` seconds for them: past it the API answers 503 with
``Retry-After`` and a page leaves "Similar papers" out. The app's lifespan runs the background
refresher (``services.search_refresher``, started in ``web.app``), so papers imported while
``serve`` or ``demo`` runs become searchable within seconds.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Annotated, Any, Literal

import msgspec
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from paperwire.dates import parse_optional_day
from paperwire.errors import Unavailable
from paperwire.models import Paper
from paperwire.models_personal import Mute
from paperwire.search.query_terms import MAX_QUERY_CHARS
from paperwire.search.records import SearchFilters, SearchHit
from paperwire.services import muted_lists
from paperwire.services.search import MAX_LIMIT, SearchService
from paperwire.services.search_results import SIMILAR_SORTS
from paperwire.web.deps import SearchDep, SettingsDep, StoreDep
from paperwire.web.hf_shapes import build_links, build_organization, build_paper, iso
from paperwire.web.links import thumbnail_url
from paperwire.web.paging import build_link_header, page_rels
from paperwire.web.params import DayParam
from paperwire.web.routes.api import RESPONSES
from paperwire.web.routes.following import (
    MUTED_API,
    MUTED_NOTE,
    ShowMutedApi,
    api_mutes,
    muted_note,
    page_mutes,
    send_hidden_count,
)
from paperwire.web.templating import render

router = APIRouter()
log = logging.getLogger(__name__)
QUERY_PATTERN = r"[^\s\x00-\x1f\x7f-\x9f]"  # something to search for besides spaces and controls
Q = Annotated[str | None, Query(min_length=1, max_length=MAX_QUERY_CHARS, pattern=QUERY_PATTERN,
                         description="Search text, 1 to 250 characters, not only spaces")]
Mode = Annotated[Literal["hybrid", "keyword", "semantic"], Query(description="how to match")]
Day = DayParam
Text = Annotated[str | None, Query(max_length=100)]
Sort = Annotated[str, Query(max_length=20, description="relevance, recent or popular")]
SIMILAR_DOC = "Papers nearest to this one by meaning; `sort` relevance, recent or popular."
SIMILAR_MUTED_NOTE = (" Signed in (session cookie or `Authorization: Bearer` API token), the "
                      "papers the user muted are left out and the next nearest take their "
                      "place; `X-Hidden-Muted` says how many were left out and `show_muted=1` "
                      "keeps them.")
SEARCH_DOC = ("Papers matching `q` (keyword, semantic or hybrid), with highlighted matches; "
              "without `q`, the papers matching the filters, newest first (no filters: the "
              "newest papers).")


def build_filters(date_from: str | None, date_to: str | None, category: str | None,
                  organization: str | None, has_code: bool) -> SearchFilters:
    categories = tuple(c.strip() for c in (category or "").split(",") if c.strip())
    return SearchFilters(parse_optional_day(date_from, "date_from"),
                         parse_optional_day(date_to, "date_to"),
                         categories, organization or None, has_code)


def build_search_item(hit: SearchHit, base_url: str = "") -> dict[str, Any]:
    """One item of ``/api/papers/search`` (the HF shape plus ``score``)."""
    paper = hit.paper
    return {
        "paper": build_paper(paper),
        "publishedAt": iso(paper.published_at),
        "title": paper.title,
        "summary": paper.summary,
        "thumbnail": thumbnail_url(paper, base_url),
        "numComments": paper.num_comments,
        "upvoted": False,
        "isAuthorParticipating": any(a.user for a in paper.authors),
        "organization": build_organization(paper.organization),
        "highlightedTitle": list(hit.highlighted_title),
        "highlightedSummary": list(hit.highlighted_summary),
        "snippet": list(hit.snippet),
        "score": round(hit.score, 6),
        **build_links(paper),
    }


@router.get("/api/papers/search", tags=["search"], responses=RESPONSES,
            summary="Search papers", response_model=list[dict[str, Any]],
            description=SEARCH_DOC + MUTED_NOTE, openapi_extra=MUTED_API)
async def search_api(
    request: Request, search: SearchDep, store: StoreDep,
    settings: SettingsDep, q: Q = None, mode: Mode = "hybrid",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
    p: Annotated[int, Query(ge=0, le=1000, description="page, from 0")] = 0,
    date_from: Day = None, date_to: Day = None, category: Text = None,
    organization: Text = None, has_code: bool = False, show_muted: ShowMutedApi = 0,
) -> Response:
    filters = build_filters(date_from, date_to, category, organization, has_code)
    mutes = api_mutes(request, show_muted)

    def answer() -> tuple[bytes, bool, int]:  # on a query thread: search, shape and encode
        found = muted_lists.search_page(search, store, mutes, q, mode, filters, p, limit)
        return encode_items(build_search_item(hit, settings.base_url)
                            for hit in found.hits), found.more, found.hidden

    body, more, hidden = await search.answer_within_deadline(answer)
    response = Response(body, media_type="application/json")
    rels = page_rels(p, more)
    if rels:
        response.headers["Link"] = build_link_header(request, rels)
    send_hidden_count(request, response, hidden)
    return response


def encode_items(items: Iterable[dict[str, Any]]) -> bytes:
    """A JSON array of API items (compact UTF-8, as the framework would write it)."""
    return msgspec.json.encode(list(items))


@router.get("/api/papers/{paper_id:path}/similar", tags=["search"], responses=RESPONSES,
            summary="Papers similar to one paper", response_model=list[dict[str, Any]],
            description=SIMILAR_DOC + SIMILAR_MUTED_NOTE, openapi_extra=MUTED_API)
def similar_api(request: Request, response: Response, search: SearchDep, paper_id: str,
                limit: Annotated[int, Query(ge=1, le=50)] = 10,
                sort: Sort = "relevance", show_muted: ShowMutedApi = 0) -> list[dict[str, Any]]:
    mutes = api_mutes(request, show_muted)
    found = search.within_deadline(lambda: muted_lists.similar_page(
        lambda depth: search.similar(paper_id, depth, refresh=False, sort=sort), mutes, limit))
    send_hidden_count(request, response, found.hidden)
    return [build_paper(paper) for paper in found.items]


@router.get("/search", include_in_schema=False)
def search_page(
    request: Request, search: SearchDep, settings: SettingsDep,
    q: Annotated[str, Query()] = "", mode: Mode = "hybrid",
    p: Annotated[int, Query(ge=0, le=1000)] = 0, date_from: Day = None, date_to: Day = None,
    category: Text = None, organization: Text = None, has_code: bool = False,
) -> Response:
    """The search page: a form, highlighted snippets, filters and paging; filters without
    a query list the matching papers, newest first."""
    filters = build_filters(date_from, date_to, category, organization, has_code)
    context: dict[str, Any] = {"query": q, "mode": mode, "filters": filters, "results": None,
                               "category": category or "", "page_no": p}
    hidden = 0
    if q.strip() or filters.active:
        mutes, size = page_mutes(request), settings.page_size
        context["results"], hidden = search.within_deadline(
            lambda: muted_lists.search_results(search, mutes, q, mode, filters, p, size))
    return render(request, "search.html", {**context, **muted_note(request, hidden)})


def similar_papers(search: SearchService, paper_id: str, mutes: Sequence[Mute] = (),
                   limit: int = 5, sort: str = "relevance") -> muted_lists.KeptPage[Paper]:
    """Similar papers from the indexes as they are, in ``sort`` order (relevance, recent or
    popular), less the muted ones, within the search deadline (never fails or holds up the
    page showing them: none then)."""
    def find(depth: int) -> list[Paper]:
        if sort == "relevance":
            return list(search.similar_to_papers([paper_id], depth))
        return list(search.similar(paper_id, depth, refresh=False, sort=sort))

    try:
        return search.within_deadline(lambda: muted_lists.similar_page(find, mutes, limit))
    except Unavailable:
        log.warning("similar papers for %s left out: past the search deadline", paper_id)
    except Exception:  # a page must render even when the search files are unusable
        log.exception("similar papers for %s failed", paper_id)
    return muted_lists.KeptPage((), 0, False)


def build_similar_sort(value: str | None) -> str:
    """The similar-papers order a page asks for (``?similar=``), relevance by default."""
    return value if value in SIMILAR_SORTS else "relevance"

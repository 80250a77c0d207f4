"""The rest of the Hugging Face papers surface: the catalog as a cursor listing
(``GET /api/papers``) and a paper as Markdown (``GET /papers/{id}.md``, what
``HfApi.read_paper`` and ``hf papers read`` fetch)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from paperwire.services import muted_lists, papers_api
from paperwire.services.catalog import find_paper
from paperwire.web.deps import StoreDep
from paperwire.web.hf_shapes import build_paper
from paperwire.web.paging import build_link_header
from paperwire.web.routes.api import RESPONSES
from paperwire.web.routes.following import (
    MUTED_API,
    MUTED_NOTE,
    ShowMutedApi,
    api_mutes,
    send_hidden_count,
)

router = APIRouter()
MARKDOWN: dict[int | str, dict[str, Any]] = {200: {"description": "The paper as Markdown",
                  "content": {"text/markdown": {"schema": {"type": "string"}}}},
            308: {"description": "Merged or versioned id: the current one"},
            404: {"description": "Unknown paper (an HTML page)", "content": {"text/html": {}}},
            422: {"description": "Invalid parameter (an HTML page)", "content": {"text/html": {}}}}


@router.get("/api/papers", tags=["papers"], responses=RESPONSES,
            summary="All papers, newest first", openapi_extra=MUTED_API,
            description="Every paper in the catalog, newest first, `limit` at a time; follow "
                        "`rel=\"next\"`." + MUTED_NOTE)
def list_papers(
    request: Request, response: Response, store: StoreDep,
    cursor: Annotated[str | None, Query(min_length=1, max_length=papers_api.MAX_CURSOR_CHARS,
                                        description="the id of the last paper seen (the "
                                        "Link header's next URL has it)")] = None,
    limit: Annotated[int, Query(ge=1, le=papers_api.MAX_CATALOG_LIMIT)] = 50,
    show_muted: ShowMutedApi = 0,
) -> list[dict[str, Any]]:
    page, hidden = muted_lists.catalog_page(store, api_mutes(request, show_muted), cursor, limit)
    if page.next_cursor is not None:
        response.headers["Link"] = build_link_header(request, {"next": {"cursor": page.next_cursor}})
    send_hidden_count(request, response, hidden)
    return [build_paper(paper) for paper in page.papers]


@router.get("/papers/{paper_id:path}.md", tags=["papers"], response_class=PlainTextResponse,
            responses=MARKDOWN, summary="One paper as Markdown")
def paper_markdown(store: StoreDep, paper_id: str,
                   comments: Annotated[bool, Query(description="add the comments")] = False,
                   ) -> Response:
    """A paper as Markdown: title, authors, links, keywords, abstract (and comments)."""
    found = find_paper(store, paper_id)
    if found.redirect_to is not None:
        query = "?comments=true" if comments else ""
        return RedirectResponse(f"/papers/{found.redirect_to}.md{query}", status_code=308)
    text = papers_api.paper_markdown(store, paper_id, comments)
    return PlainTextResponse(text, media_type="text/markdown; charset=utf-8")

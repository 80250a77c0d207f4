"""Feeds of one account's lists at unguessable token URLs (For you, Following, a collection),
and the public feed of a public collection. An unknown, revoked or guessed token is a 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from paperwire.services import personal_tokens, private_feeds
from paperwire.services.private_feeds import FeedContent
from paperwire.web.deps import services_of
from paperwire.web.feeds import FeedItem
from paperwire.web.params import RowId
from paperwire.web.routes.feeds import feed_response
from paperwire.web.routes.following import search_fn
from paperwire.web.routes.for_you import nearest_fn

router = APIRouter(include_in_schema=False)
Token = Annotated[str, Path(max_length=personal_tokens.MAX_TOKEN_LENGTH)]


def _send(request: Request, ext: str, content: FeedContent) -> Response:
    items = [FeedItem(p) for p in content.papers]
    response = feed_response(request, services_of(request).settings, ext, content.title,
                             content.page_path, items)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@router.get("/feeds/private/{token}.{ext}")
def private_feed(request: Request, token: Token, ext: str) -> Response:
    services = services_of(request)
    user, scope = personal_tokens.feed_of(services.store, token)
    content = private_feeds.build_feed(services.store, services.settings, user, scope,
                                       search_fn(request), nearest_fn(request))
    return _send(request, ext, content)


@router.get("/collections/{collection_id}/feed.{ext}")
def public_collection_feed(request: Request, collection_id: RowId, ext: str) -> Response:
    """A public collection's feed (a private one is a 404, whoever asks)."""
    services = services_of(request)
    content = private_feeds.collection_feed(services.store, None, collection_id,
                                            services.settings.site_name)
    return _send(request, ext, content)

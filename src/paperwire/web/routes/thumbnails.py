"""``/thumbnails/<name>.png``: first-page pictures, cached by browsers and proxies.

The card's URL carries the picture's key (``?v=``), so a long ``max-age`` is safe; the ETag is
the hash of the file, and a matching ``If-None-Match`` answers 304."""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, Request
from fastapi.responses import Response

from paperwire.errors import NotFound
from paperwire.services.thumbnails import fetch_thumbnail_file
from paperwire.web.deps import SettingsDep

router = APIRouter(include_in_schema=False)
CACHE = "public, max-age=604800"


@router.get("/thumbnails/{name}")
def thumbnail(name: str, request: Request, settings: SettingsDep) -> Response:
    picture = fetch_thumbnail_file(settings, name)
    if picture is None:
        raise NotFound(f"there is no thumbnail called {name}")
    etag = '"' + hashlib.sha256(picture).hexdigest()[:16] + '"'
    headers = {"ETag": etag, "Cache-Control": CACHE}
    asked = {t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "").split(",")}
    if etag in asked or "*" in asked:
        return Response(status_code=304, headers=headers)
    return Response(picture, media_type="image/png", headers=headers)

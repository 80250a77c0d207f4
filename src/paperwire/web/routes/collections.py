"""Collections: reading lists, a note per paper, public pages, export and import."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from paperwire.models_personal import Collection
from paperwire.services import collections
from paperwire.storage import Store
from paperwire.web.deps import services_of
from paperwire.web.hf_shapes import build_paper, iso
from paperwire.web.openapi import error_responses
from paperwire.web.params import RowId
from paperwire.web.sessions import current_user, require_csrf, require_user, safe_next
from paperwire.web.templating import render

router = APIRouter(dependencies=[Depends(require_csrf)])
Name = Annotated[str, Form(max_length=collections.MAX_NAME + 100)]
Note = Annotated[str, Form(max_length=collections.MAX_NOTE + 100)]
Flag = Annotated[str, Form(max_length=5)]
Next = Annotated[str, Form(max_length=500)]
PaperId = Annotated[str, Form(max_length=300)]


def store_of(request: Request) -> Store:
    """The one place this module reaches the store."""
    return services_of(request).store


def _to(path: str) -> Response:
    return RedirectResponse(path, status_code=303)


@router.get("/collections", include_in_schema=False)
def collections_page(request: Request) -> Response:
    user = require_user(request)
    return render(request, "collections.html",
                  {"collections": collections.mine(store_of(request), user)})


@router.post("/collections", include_in_schema=False)
def create(request: Request, name: Name, public: Flag = "0", paper_id: PaperId = "",
           next: Next = "") -> Response:
    """Create a collection (optionally saving ``paper_id`` to it at once)."""
    user = require_user(request)
    made = collections.create(store_of(request), user, name, public == "1")
    if paper_id:
        collections.save(store_of(request), user, made.id, paper_id)
    return _to(safe_next(next, f"/collections/{made.id}"))


@router.get("/collections/{collection_id}", include_in_schema=False)
def collection_page(request: Request, collection_id: RowId) -> Response:
    shown = collections.view(store_of(request), current_user(request), collection_id)
    return render(request, "collection.html", {"view": shown, "formats": collections.EXPORT_FORMATS})


@router.post("/collections/{collection_id}/settings", include_in_schema=False)
def settings(request: Request, collection_id: RowId, name: Name, public: Flag = "0") -> Response:
    user = require_user(request)
    collections.update(store_of(request), user, collection_id, name, public == "1")
    return _to(f"/collections/{collection_id}")


@router.post("/collections/{collection_id}/delete", include_in_schema=False)
def delete(request: Request, collection_id: RowId) -> Response:
    collections.delete(store_of(request), require_user(request), collection_id)
    return _to("/collections")


@router.post("/collections/{collection_id}/items", include_in_schema=False)
def save(request: Request, collection_id: RowId, paper_id: PaperId, note: Note = "",
         on: Flag = "1", next: Next = "") -> Response:
    """Save (on=1) or remove (on=0) a paper."""
    user = require_user(request)
    if on == "0":
        collections.remove(store_of(request), user, collection_id, paper_id)
    else:
        collections.save(store_of(request), user, collection_id, paper_id, note)
    return _to(safe_next(next, f"/collections/{collection_id}"))


@router.post("/collections/{collection_id}/notes", include_in_schema=False)
def note(request: Request, collection_id: RowId, paper_id: PaperId, note: Note) -> Response:
    collections.set_note(store_of(request), require_user(request), collection_id, paper_id, note)
    return _to(f"/collections/{collection_id}")


@router.get("/collections/{collection_id}/export/{fmt}", include_in_schema=False)
def export(request: Request, collection_id: RowId, fmt: str) -> Response:
    text, media, filename = collections.export(store_of(request), current_user(request),
                                               collection_id, fmt)
    return Response(text, media_type=f"{media}; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.post("/collections/{collection_id}/import", include_in_schema=False)
async def import_file(request: Request, collection_id: RowId,
                      file: Annotated[UploadFile, File()]) -> Response:
    """Import BibTeX, RIS, CSL-JSON or a list of arXiv ids into the collection."""
    user = require_user(request)
    data = await file.read(collections.MAX_IMPORT_BYTES + 1)
    summary = collections.import_into(store_of(request), user, collection_id, data,
                                      file.filename or "")
    shown = collections.view(store_of(request), user, collection_id)
    return render(request, "collection.html", {"view": shown, "formats": collections.EXPORT_FORMATS,
                                               "summary": summary})


@router.get("/api/collections", tags=["personal"], summary="Your collections",
            responses=error_responses(e401="Not signed in"))
def collections_api(request: Request) -> list[dict[str, Any]]:
    """The signed-in user's collections."""
    return [_collection_json(c) for c in collections.mine(store_of(request),
                                                          require_user(request))]


@router.get("/api/collections/{collection_id}", tags=["personal"], summary="One collection",
            responses=error_responses(e404="No such collection, or not yours to see"))
def collection_api(request: Request, collection_id: RowId) -> dict[str, Any]:
    """A collection and its papers (yours, or anyone's public one)."""
    shown = collections.view(store_of(request), current_user(request), collection_id)
    return {**_collection_json(shown.collection),
            "items": [{"paper": build_paper(i.paper), "note": i.note, "addedAt": iso(i.added_at)}
                      for i in shown.items]}


def _collection_json(found: Collection) -> dict[str, Any]:
    return {"id": found.id, "name": found.name, "owner": found.owner, "public": found.is_public,
            "size": found.size, "createdAt": iso(found.created_at)}

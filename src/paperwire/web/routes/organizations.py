"""Organization pages: list, one organization (papers, members), and the admin/member forms."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from paperwire.services import muted_lists, organizations
from paperwire.web.deps import SettingsDep, StoreDep
from paperwire.web.routes.following import muted_note, page_mutes
from paperwire.web.sessions import require_csrf, require_user
from paperwire.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
Field = Annotated[str, Form(max_length=200)]


def _to_org(name: str) -> Response:
    return RedirectResponse(f"/organizations/{quote(name)}", status_code=303)


@router.get("/organizations")
def organization_list(request: Request, store: StoreDep) -> Response:
    orgs = store.list_organizations()
    counts = store.count_papers_per_organization()
    return render(request, "organizations.html", {"organizations": orgs, "counts": counts})


@router.post("/organizations")
def organization_create(request: Request, store: StoreDep, name: Field,
                        fullname: Field = "") -> Response:
    user = require_user(request)
    org = organizations.create_org(store, user, name, fullname)
    return _to_org(org.name)


@router.get("/organizations/{name}")
def organization(request: Request, store: StoreDep, settings: SettingsDep, name: str,
                 p: Annotated[int, Query(ge=0, le=100_000)] = 0) -> Response:
    found, hidden = muted_lists.organization_page(store, page_mutes(request), name, p,
                                                  settings.page_size)
    return render(request, "organization.html", {"org": found,
                                                 **muted_note(request, hidden)})


@router.post("/organizations/{name}/members")
def organization_add_member(request: Request, store: StoreDep, name: str,
                            username: Field) -> Response:
    user = require_user(request)
    organizations.add_member(store, user, name, username)
    return _to_org(name)


@router.post("/organizations/{name}/papers")
def organization_attach(request: Request, store: StoreDep, name: str, paper: Field) -> Response:
    user = require_user(request)
    organizations.attach_paper(store, user, name, paper)
    return _to_org(name)

"""Organizations: pages with papers and members; admins create them, members attach papers
they submitted or authored (through an author handle an administrator linked to them)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from paperwire.clock import now_utc
from paperwire.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from paperwire.models import Organization, Page, Paper
from paperwire.models_community import User
from paperwire.storage import Store

ORG_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


@dataclass(frozen=True)
class OrganizationPage:
    organization: Organization
    members: list[User]
    papers: Page[Paper]


def get_org(store: Store, name: str) -> Organization:
    org = store.get_organization(name[:100])
    if org is None:
        raise NotFound(f"no organization named {name[:40]!r}")
    return org


def organization_page(store: Store, name: str, page: int = 0, limit: int = 30) -> OrganizationPage:
    org = get_org(store, name)
    papers = store.list_org_papers(org.name, page * limit, limit)
    total = store.count_org_papers(org.name)
    return OrganizationPage(org, store.list_org_members(org.name),
                            Page(tuple(papers), total, page, limit))


def create_org(store: Store, user: User, name: str, fullname: str) -> Organization:
    if not user.is_admin:
        raise PermissionDenied("only administrators can create organizations")
    if not ORG_NAME.fullmatch(name):
        raise InvalidInput("name must be 1-64 letters, digits, '-' or '_'", field="name")
    fullname = fullname.strip() or name
    if len(fullname) > 200:
        raise InvalidInput("full name must have at most 200 characters", field="fullname")
    org = Organization(name, fullname)
    store.upsert_organization(org)
    return org


def add_member(store: Store, user: User, org_name: str, username: str) -> None:
    if not user.is_admin:
        raise PermissionDenied("only administrators can add members")
    org = get_org(store, org_name)
    member = store.get_user_by_name(username.strip()[:64])
    if member is None:
        raise NotFound(f"no user named {username[:40]!r}")
    store.add_org_member(org.name, member.id, now_utc())


def _owns(store: Store, user: User, paper: Paper) -> bool:
    """The user submitted the paper, or is one of its authors through a linked handle.
    Imported author handles are not local accounts: an equal username proves nothing."""
    handles = store.claimed_handles(user.id)
    if handles and any(author.user and author.user.lower() in handles
                       for author in paper.authors):
        return True
    entry = store.get_daily_entry(paper.id)
    return entry is not None and entry.submitted_by == user.username


def attach_paper(store: Store, user: User, org_name: str, paper_id: str) -> Paper:
    """Admins attach any paper; members attach papers they submitted or authored."""
    org = get_org(store, org_name)
    paper = store.get_paper(paper_id.strip()[:100])
    if paper is None:
        raise NotFound(f"paper {paper_id[:80]!r} is not in the catalog")
    if not user.is_admin:
        if not store.is_org_member(org.name, user.id):
            raise PermissionDenied("only members of this organization can attach papers")
        if not _owns(store, user, paper):
            raise PermissionDenied("members can attach only papers they submitted or authored")
    store.attach_paper_organization(paper.id, org.name)
    return paper


def link_author(store: Store, handle: str, username: str) -> User:
    """Link an imported author handle to a local account (an administrator's decision)."""
    handle = handle.strip()
    if not handle or len(handle) > 100 or not handle.isprintable():
        raise InvalidInput("handle must be 1-100 printable characters", field="handle")
    user = store.get_user_by_name(username.strip()[:64])
    if user is None:
        raise NotFound(f"no user named {username[:40]!r}")
    if not store.add_author_claim(handle, user.id, "admin", now_utc()):
        raise Conflict(f"the author handle {handle[:40]!r} is already linked to an account")
    return user

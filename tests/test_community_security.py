"""Security of the whole site: XSS payloads through every page, API response and feed;
cross-site and token-less POSTs refused; GET requests never change anything."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from defusedxml import ElementTree
from fastapi.testclient import TestClient

from paperwire.config import Settings
from paperwire.models import Author, IncomingPaper, Organization, Paper
from paperwire.services.accounts import make_admin
from paperwire.storage.sqlite import SqliteStore
from paperwire.web.security import CROSS_SITE_ALLOWED_PREFIXES
from tests.community_helpers import add_paper, csrf, new_client, post, sign_up
from tests.community_xss import PAYLOADS, find_executable
from tests.helpers import dump_tables

ATOM = "{http://www.w3.org/2005/Atom}"


def seed_payloads(client: TestClient, store: SqliteStore, settings: Settings) -> list[str]:
    """Papers, authors, organizations and comments made of payloads; returns paper ids."""
    sign_up(client, "xss-tester")
    make_admin(store, "xss-tester")
    ids = []
    for n, payload in enumerate(PAYLOADS):
        pid = f"2509.{n:05d}"
        add_paper(store, settings, pid, title=payload, summary=f"Abstract {payload}",
                  authors=(Author(payload), Author(f"Ann {n}")), upvotes=n,
                  submitted_by="xss-tester")
        store.upsert_organization(Organization(f"org{n}", payload))
        store.attach_paper_organization(pid, f"org{n}")
        post(client, f"/papers/{pid}/comments", {"body": payload})
        ids.append(pid)
    store.upsert_papers([IncomingPaper(Paper(id="weird-id", title="<b>id</b>"))])
    for payload in PAYLOADS[:5]:
        refused = post(client, "/signup", {"username": payload, "password": "quiet-lantern-42",
                                           "email": "x@example.org"})
        assert refused.status_code == 400
    return ids


def html_urls(ids: list[str]) -> list[str]:
    urls = ["/", "/?sort=comments", "/?sort=trending", "/papers", "/papers?p=1", "/trending",
            "/trending?sort=top&t=all", "/trending?sort=new&t=all", "/trending?sort=comments",
            "/users/xss-tester", "/organizations", "/submit", "/login", "/signup", "/reset",
            "/settings/password", "/docs", "/papers/weird-id"]
    urls += [f"/papers/{pid}" for pid in ids] + [f"/organizations/org{n}" for n in range(len(ids))]
    urls += [f"/papers/{quote(p, safe='')}" for p in PAYLOADS[:10]]  # error pages echo input
    urls += [f"/trending?sort={quote(p)}" for p in PAYLOADS[:10]]
    urls += [f"/login?next={quote(p)}" for p in PAYLOADS[:10]]
    urls += [f"/reset/{quote(p, safe='')}" for p in PAYLOADS[:10]]
    return urls


def feed_urls(ids: list[str]) -> list[str]:
    urls = ["/daily.rss", "/daily.atom", "/trending.rss", "/trending.atom"]
    urls += [f"/organizations/org{n}.{ext}" for n in range(len(ids)) for ext in ("rss", "atom")]
    urls += [f"/search.{ext}?q={quote(p)}" for p in PAYLOADS for ext in ("rss", "atom")]
    return urls


def feed_problems(xml: bytes) -> list[str]:
    """RSS titles/descriptions are HTML to readers; Atom text constructs must be type=text."""
    root = ElementTree.fromstring(xml)
    found = []
    for item in root.iter("item"):
        for tag in ("title", "description"):
            text = item.findtext(tag) or ""
            found += find_executable(text)
    for elem in root.iter():
        text_construct = elem.tag in (f"{ATOM}title", f"{ATOM}summary", f"{ATOM}content")
        if text_construct and elem.get("type", "text") != "text":
            found += find_executable(elem.text or "")
    return found


def test_xss_payloads_never_become_executable(cc: TestClient, store: SqliteStore,
                                              settings: Settings) -> None:
    assert len(PAYLOADS) >= 30
    ids = seed_payloads(cc, store, settings)
    checked = 0
    for url in html_urls(ids):
        response = cc.get(url)
        assert response.status_code < 500, url
        assert "content-security-policy" in response.headers, url
        assert find_executable(response.text) == [], url
        checked += 1
    for url in feed_urls(ids):
        response = cc.get(url)
        assert response.status_code == 200, url
        assert feed_problems(response.content) == [], url
        checked += 1
    api = ["/api/daily_papers?sort=trending&limit=100", "/api/daily_papers?limit=100"]
    for url in api + [f"/api/papers/{pid}" for pid in ids]:
        response = cc.get(url)
        assert response.headers["content-type"].startswith("application/json"), url
        assert response.headers["x-content-type-options"] == "nosniff"
        json.loads(response.text)
        checked += 1
    titles = {i["title"] for i in cc.get("/api/daily_papers?limit=100").json()}
    assert set(PAYLOADS) <= titles  # stored and served as data, unchanged
    assert checked > 200


COMMUNITY_MODULES = tuple(f"paperwire.web.routes.{name}"
                          for name in ("accounts", "community", "organizations", "feeds"))


def all_routes(routes: list[Any], prefix: str = "") -> list[tuple[set[str], str, str]]:
    """(methods, path, endpoint module) of every route, looking inside included routers."""
    found: list[tuple[set[str], str, str]] = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            found += all_routes(inner.routes, prefix + route.include_context.prefix)
        elif getattr(route, "methods", None):
            module = getattr(getattr(route, "endpoint", None), "__module__", "")
            found.append((set(route.methods), prefix + route.path, module))
    return found


def state_changing_routes(client: TestClient) -> list[tuple[str, str, str]]:
    return [(method, path, module)
            for methods, path, module in all_routes(client.app.routes)  # type: ignore[attr-defined]
            for method in methods - {"GET", "HEAD", "OPTIONS"}]


def concrete(path: str) -> str:
    values = {"paper_id": "2509.00000", "comment_id": "1", "name": "org0", "token": "t" * 43}
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values.get(m.group(1), "x"), path)


# Derived data a read may rebuild (the search index's embeddings and watermark), the
# login-failure and rate logs and the health check's write probe are not user-visible state.
DERIVED_TABLES = ("login_failures", "paper_embeddings", "search_state", "rate_events",
                  "write_probe")


def dump(store: SqliteStore) -> list[str]:
    return [line for line in dump_tables(store)
            if not any(line.startswith(f"{table}:") for table in DERIVED_TABLES)]


def test_cross_site_and_tokenless_posts_are_refused_and_change_nothing(
        cc: TestClient, store: SqliteStore, settings: Settings) -> None:
    add_paper(store, settings, "2509.00000")
    sign_up(cc, "victim")
    make_admin(store, "victim")
    store.upsert_organization(Organization("org0", "Org"))
    post(cc, "/papers/2509.00000/comments", {"body": "hello"})
    routes = state_changing_routes(cc)
    assert len(routes) >= 14
    before = dump(store)
    token = csrf(cc)
    form = {"csrf_token": token, "on": "1", "body": "x", "paper": "2509.00000",
            "username": "victim", "name": "neworg", "email": "victim@example.org",
            "password": "quiet-lantern-42", "new_password": "fresh-secret-1",
            "old_password": "quiet-lantern-42"}
    attacks = [{"origin": "https://evil.example"}, {"sec-fetch-site": "cross-site"},
               {"origin": "null"}]
    for method, path, module in routes:
        if path.startswith(tuple(CROSS_SITE_ALLOWED_PREFIXES)):
            # RFC 8058 one-click unsubscribe: any origin may POST; its token protects it
            response = cc.request(method, concrete(path), data={"List-Unsubscribe": "One-Click"},
                                  headers=attacks[0], follow_redirects=False)
            assert response.status_code == 404, path  # an unknown token changes nothing
            continue
        for headers in attacks:
            response = cc.request(method, concrete(path), data=form, headers=headers,
                                  follow_redirects=False)
            assert response.status_code == 403, (method, path, headers)
        if not module.startswith(COMMUNITY_MODULES):
            continue  # other capabilities may protect their forms otherwise
        no_token = {k: v for k, v in form.items() if k != "csrf_token"}
        for data in (no_token, {**no_token, "csrf_token": "forged"}):
            response = cc.request(method, concrete(path), data=data, follow_redirects=False)
            assert response.status_code == 403, (method, path)
    assert dump(store) == before


def test_get_requests_never_change_state(cc: TestClient, store: SqliteStore,
                                         settings: Settings) -> None:
    add_paper(store, settings, "2509.00000")
    sign_up(cc, "reader")
    store.upsert_organization(Organization("org0", "Org"))
    post(cc, "/papers/2509.00000/comments", {"body": "hello"})
    before = dump(store)
    anonymous = new_client(cc)
    paths = [concrete(path) for _, path, _ in all_routes(cc.app.routes)]  # type: ignore[attr-defined]
    assert len(paths) >= 30
    for path in paths:  # GET every route, the POST-only ones included
        for client in (cc, anonymous):
            assert client.get(path, follow_redirects=False).status_code < 500, path
    assert dump(store) == before

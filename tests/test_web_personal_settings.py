"""Personal tokens and private feeds through the real app: an API token works as a Bearer
header on the personal API until revoked; private feed URLs serve For you, Following and a
collection to a feed reader with no session, and another user's, a revoked or a guessed token
is a 404; a public collection has a public feed."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from fastapi.testclient import TestClient

from paperwire.config import Settings
from paperwire.storage.sqlite import SqliteStore
from tests.community_helpers import new_client, post, sign_up
from tests.personal_helpers import put_paper

RSS_TITLES = ".//item/title"


def _made_secret(page: str) -> str:
    found = re.search(r'<code id="new-(?:token|feed)">(?:[^<]*/feeds/private/)?([^<.]+)', page)
    assert found, page
    return found.group(1)


def _feed_token(client: TestClient, scope: str) -> str:
    answer = post(client, "/settings/feeds", {"scope": scope})
    assert answer.status_code == 200, answer.text
    return _made_secret(answer.text)


def _titles(body: bytes) -> list[str]:
    return [e.text or "" for e in ET.fromstring(body).findall(RSS_TITLES)]


def _setup(client: TestClient, store: SqliteStore, settings: Settings) -> int:
    put_paper(store, settings, "2601.00001", "Private reading on graphs", categories=("cs.DM",))
    put_paper(store, settings, "2601.00002", "Parsing with transformers", categories=("cs.CL",))
    sign_up(client, "ada")
    post(client, "/follow", {"kind": "category", "value": "cs.CL"})
    post(client, "/collections", {"name": "Thesis", "paper_id": "2601.00001"})
    return int(client.get("/api/collections").json()[0]["id"])


def test_api_token_authenticates_until_revoked(client: TestClient, store: SqliteStore,
                                               settings: Settings) -> None:
    _setup(client, store, settings)
    page = post(client, "/settings/tokens", {"label": "my script"}).text
    secret = _made_secret(page)
    stored = store.query("SELECT token_hash FROM personal_tokens")
    assert [r[0] for r in stored] != [secret] and len(stored[0][0]) == 64
    reader = new_client(client)
    header = {"Authorization": f"Bearer {secret}"}
    assert reader.get("/api/following").status_code == 401
    body = reader.get("/api/following", headers=header).json()
    assert [f["value"] for f in body["follows"]] == ["cs.CL"]
    assert [c["name"] for c in reader.get("/api/collections", headers=header).json()] == ["Thesis"]
    assert reader.get("/api/for-you", headers=header).status_code == 200
    assert reader.get("/api/following", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert reader.get("/following", headers=header, follow_redirects=False).status_code == 303
    [token_id] = [r[0] for r in store.query("SELECT id FROM personal_tokens")]
    assert "last used" in client.get("/settings/tokens").text
    post(client, f"/settings/tokens/{token_id}/revoke", {})
    assert reader.get("/api/following", headers=header).status_code == 401


def test_private_feeds_serve_their_owner_only(client: TestClient, store: SqliteStore,
                                              settings: Settings) -> None:
    cid = _setup(client, store, settings)
    follow_token = _feed_token(client, "following")
    collection_token = _feed_token(client, f"collection:{cid}")
    for_you_token = _feed_token(client, "for-you")
    reader = new_client(client)
    assert _titles(reader.get(f"/feeds/private/{follow_token}.rss").content) == [
        "Parsing with transformers"]
    collection = reader.get(f"/feeds/private/{collection_token}.atom")
    assert collection.status_code == 200 and b"Private reading on graphs" in collection.content
    assert "no-store" in collection.headers["cache-control"]
    assert reader.get(f"/feeds/private/{for_you_token}.rss").status_code == 200
    bob = new_client(client)
    sign_up(bob, "bob")
    assert post(bob, "/settings/feeds", {"scope": f"collection:{cid}"}).status_code == 404
    for token in (follow_token[:-1] + ("A" if follow_token[-1] != "A" else "B"),
                  "x" * 32, "guess"):
        assert reader.get(f"/feeds/private/{token}.rss").status_code == 404
    [token_id] = [r[0] for r in store.query(
        "SELECT id FROM personal_tokens WHERE scope = 'following'")]
    assert post(bob, f"/settings/tokens/{token_id}/revoke", {}).status_code == 404
    post(client, f"/settings/tokens/{token_id}/revoke", {})
    assert reader.get(f"/feeds/private/{follow_token}.rss").status_code == 404
    post(client, f"/collections/{cid}/delete", {})
    assert reader.get(f"/feeds/private/{collection_token}.rss").status_code == 404


def test_mutes_apply_in_private_feeds(client: TestClient, store: SqliteStore,
                                      settings: Settings) -> None:
    _setup(client, store, settings)
    token = _feed_token(client, "following")
    post(client, "/mutes", {"kind": "keyword", "value": "transformers"})
    assert _titles(new_client(client).get(f"/feeds/private/{token}.rss").content) == []


def test_public_collection_feed(client: TestClient, store: SqliteStore,
                                settings: Settings) -> None:
    cid = _setup(client, store, settings)
    anonymous = new_client(client)
    assert anonymous.get(f"/collections/{cid}/feed.rss").status_code == 404
    post(client, f"/collections/{cid}/settings", {"name": "Thesis", "public": "1"})
    answer = anonymous.get(f"/collections/{cid}/feed.rss")
    assert _titles(answer.content) == ["Private reading on graphs"]

"""The whole account through the real app: one JSON export of everything it made, and a
deletion (password confirmed) that removes it all, ends its sessions and recounts votes."""

from __future__ import annotations

from fastapi.testclient import TestClient

from paperwire.config import Settings
from paperwire.storage.sqlite import SqliteStore
from tests.community_helpers import PASSWORD, log_in, new_client, post, sign_up
from tests.personal_helpers import put_paper

USER_TABLES = ("follows", "mutes", "dismissals", "votes", "comments", "collections",
               "personal_tokens", "sessions")


def _make_everything(client: TestClient, store: SqliteStore, settings: Settings) -> None:
    put_paper(store, settings, "2601.00001", "Graph reading", categories=("cs.DM",))
    put_paper(store, settings, "2601.00002", "Parsing with transformers", upvotes=3)
    sign_up(client, "ada")
    post(client, "/follow", {"kind": "category", "value": "cs.CL"})
    post(client, "/mutes", {"kind": "keyword", "value": "quantum"})
    post(client, "/papers/2601.00001/not-interested", {})
    post(client, "/papers/2601.00002/upvote", {"on": "1"})
    post(client, "/papers/2601.00002/comments", {"body": "Nice parser."})
    post(client, "/collections", {"name": "Thesis", "paper_id": "2601.00001"})
    cid = client.get("/api/collections").json()[0]["id"]
    post(client, f"/collections/{cid}/notes", {"paper_id": "2601.00001", "note": "chapter 2"})
    post(client, "/settings/tokens", {"label": "script"})


def test_export_holds_everything_the_account_made(client: TestClient, store: SqliteStore,
                                                  settings: Settings) -> None:
    _make_everything(client, store, settings)
    answer = client.get("/settings/account/export.json")
    assert answer.headers["content-disposition"] == 'attachment; filename="paperwire-ada.json"'
    body = answer.json()
    assert body["account"]["username"] == "ada" and body["format"] == "paperwire-account"
    assert [(f["kind"], f["value"]) for f in body["follows"]] == [("category", "cs.CL")]
    assert [m["value"] for m in body["mutes"]] == ["quantum"]
    assert [d["paper_id"] for d in body["notInterested"]] == ["2601.00001"]
    assert [v["paper_id"] for v in body["upvotes"]] == ["2601.00002"]
    assert [c["body"] for c in body["comments"]] == ["Nice parser."]
    assert [c["name"] for c in body["collections"]] == ["Thesis"]
    assert [(i["paper_id"], i["note"]) for i in body["collectionItems"]] == [
        ("2601.00001", "chapter 2")]
    assert [t["label"] for t in body["tokens"]] == ["script"]
    assert "token_hash" not in answer.text
    assert new_client(client).get("/settings/account/export.json",
                                  follow_redirects=False).status_code == 303


def test_deletion_needs_the_password_and_removes_it_all(client: TestClient, store: SqliteStore,
                                                        settings: Settings) -> None:
    _make_everything(client, store, settings)
    second = new_client(client)
    log_in(second, "ada")
    assert post(client, "/settings/account/delete", {"password": "wrong"}).status_code == 400
    assert store.get_user_by_name("ada") is not None
    assert store.get_paper("2601.00002").upvotes == 4  # type: ignore[union-attr]
    answer = post(client, "/settings/account/delete", {"password": PASSWORD})
    assert answer.status_code == 303
    assert store.get_user_by_name("ada") is None
    for table in USER_TABLES:
        assert store.scalar(f"SELECT COUNT(*) FROM {table}") == 0, table
    assert store.scalar("SELECT COUNT(*) FROM collection_items") == 0
    paper = store.get_paper("2601.00002")
    assert paper is not None and (paper.upvotes, paper.num_comments) == (3, 0)
    assert second.get("/api/following").status_code == 401
    assert log_in(second, "ada").status_code == 400

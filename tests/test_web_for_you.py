"""For you through the real app: the page and /api/for-you follow the signed-in user's
signals, and no other account ever sees them."""

from __future__ import annotations

from fastapi.testclient import TestClient

from paperwire.config import Settings
from paperwire.search.embedder import OnnxEmbedder
from paperwire.services.search import SearchService
from paperwire.storage.sqlite import SqliteStore
from tests.community_helpers import new_client, post, sign_up
from tests.personal_helpers import put_paper

TOPICS = {"2601.00001": ("Speech recognition with transducers", "eess.AS"),
          "2601.00002": ("Spoken language understanding from audio", "eess.AS"),
          "2601.00003": ("Image segmentation with transformers", "cs.CV"),
          "2601.00004": ("Segmentation masks for medical images", "cs.CV")}


def _catalog(store: SqliteStore, settings: Settings, embedder: OnnxEmbedder) -> None:
    for paper_id, (title, cat) in TOPICS.items():
        put_paper(store, settings, paper_id, title, categories=(cat,), summary=title + ".")
    SearchService(settings, store, embedder).index()


def test_for_you_page_and_api_follow_the_users_signals(
        client: TestClient, store: SqliteStore, settings: Settings,
        embedder: OnnxEmbedder) -> None:
    _catalog(store, settings, embedder)
    sign_up(client, "ada")
    cold = client.get("/api/for-you").json()
    assert cold["coldStart"] and cold["items"][0]["reasons"] == ["trending now"]
    post(client, "/collections", {"name": "Vision", "paper_id": "2601.00003"})
    warm = client.get("/api/for-you", params={"limit": 2}).json()
    assert not warm["coldStart"]
    assert warm["items"][0]["paper"]["id"] == "2601.00004"
    assert warm["items"][0]["reasons"] == [
        "similar to “Image segmentation with transformers” you saved",
        "mentions “segmentation”, like papers you liked"]
    page = client.get("/for-you").text
    assert "similar to “Image segmentation with transformers” you saved" in page
    post(client, "/mutes", {"kind": "keyword", "value": "medical"})
    muted = client.get("/for-you").text
    assert "hidden: 1" in muted and "Segmentation masks for medical images" not in muted

    other = new_client(client)
    sign_up(other, "bob")
    theirs = other.get("/api/for-you").json()
    assert theirs["coldStart"] and theirs["hidden"] == 0
    assert all("you saved" not in r for item in theirs["items"] for r in item["reasons"])
    assert "Image segmentation with transformers” you saved" not in other.get("/for-you").text
    anonymous = new_client(client)
    assert anonymous.get("/api/for-you").status_code == 401
    assert anonymous.get("/for-you", follow_redirects=False).status_code == 303

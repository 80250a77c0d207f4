"""Thumbnails on the site: served with an ETag and a long cache life, 304 when unchanged, on
the cards and in the API's ``thumbnail`` field; a paper without one shows no image."""

from __future__ import annotations

import hashlib
import re

from fastapi.testclient import TestClient

from paperwire.config import Settings
from paperwire.services.thumbnails import save_thumbnail
from paperwire.sources.arxiv_pdf import render_thumbnail
from paperwire.storage.sqlite import SqliteStore
from tests.community_helpers import add_paper
from tests.pdf_helpers import build_pdf


def add_thumbnail(store: SqliteStore, settings: Settings, paper_id: str) -> str:
    picture = render_thumbnail(build_pdf("A paper"))
    save_thumbnail(settings, paper_id, picture)
    key = hashlib.sha256(picture).hexdigest()[:16]
    store.set_thumbnail(paper_id, key)
    return key


def test_thumbnail_is_served_cached_and_revalidated(client: TestClient, store: SqliteStore,
                                                    settings: Settings) -> None:
    add_paper(store, settings, "2510.00001")
    add_thumbnail(store, settings, "2510.00001")
    first = client.get("/thumbnails/2510.00001.png")
    assert first.status_code == 200 and first.headers["content-type"] == "image/png"
    assert first.content.startswith(b"\x89PNG") and "max-age=" in first.headers["cache-control"]
    again = client.get("/thumbnails/2510.00001.png",
                       headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    for name in ("2510.00002.png", "..%2Fpaperwire.db", ".hidden.png", "2510.00001.png.part"):
        assert client.get(f"/thumbnails/{name}").status_code == 404


def test_cards_and_api_show_a_thumbnail_only_where_there_is_one(
        client: TestClient, store: SqliteStore, settings: Settings) -> None:
    add_paper(store, settings, "2510.00001", "With a picture")
    add_paper(store, settings, "2510.00002", "Without a picture")
    key = add_thumbnail(store, settings, "2510.00001")
    page = client.get("/").text
    images = re.findall(r'<img src="(/thumbnails/[^"]+)"', page)
    assert images == [f"/thumbnails/2510.00001.png?v={key}"]
    assert client.get(images[0]).status_code == 200
    items = {i["paper"]["id"]: i for i in client.get("/api/daily_papers").json()}
    assert items["2510.00001"]["thumbnail"] == f"http://testserver/thumbnails/2510.00001.png?v={key}"
    assert items["2510.00002"]["thumbnail"] is None
    found = {i["paper"]["id"]: i["thumbnail"] for i in client.get("/api/papers/search").json()}
    assert found["2510.00001"] and found["2510.00002"] is None

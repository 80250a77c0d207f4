"""Collections through the real app: Save button, notes, public pages, export downloads,
library import with a report, and that no other account sees a private collection."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from paperwire.config import Settings
from paperwire.storage.sqlite import SqliteStore
from tests.community_helpers import csrf, new_client, post, sign_up
from tests.personal_helpers import put_paper


def _setup(client: TestClient, store: SqliteStore, settings: Settings) -> int:
    put_paper(store, settings, "2601.00001", "Secret reading about {Braces}")
    put_paper(store, settings, "2601.00002", "Attention Is All You Need")
    sign_up(client, "ada")
    page = client.get("/papers/2601.00001").text
    assert "Create and save" in page
    response = post(client, "/collections", {"name": "Thesis", "paper_id": "2601.00001",
                                             "next": "/papers/2601.00001"})
    assert response.status_code == 303 and response.headers["location"] == "/papers/2601.00001"
    [found] = client.get("/api/collections").json()
    assert (found["name"], found["size"], found["public"]) == ("Thesis", 1, False)
    return int(found["id"])


def test_save_note_export_and_remove(client: TestClient, store: SqliteStore,
                                     settings: Settings) -> None:
    cid = _setup(client, store, settings)
    assert "Save to Thesis" in client.get("/papers/2601.00002").text
    post(client, f"/collections/{cid}/items", {"paper_id": "2601.00002"})
    post(client, f"/collections/{cid}/notes", {"paper_id": "2601.00001", "note": "cite in ch. 2"})
    body = client.get(f"/api/collections/{cid}").json()
    assert [(i["paper"]["id"], i["note"]) for i in body["items"]] == [
        ("2601.00001", "cite in ch. 2"), ("2601.00002", "")]
    bib = client.get(f"/collections/{cid}/export/bibtex")
    assert bib.headers["content-disposition"] == f'attachment; filename="collection-{cid}.bib"'
    assert "title = {{Secret reading about \\{Braces\\}}}" in bib.text
    assert client.get(f"/collections/{cid}/export/csl-json").json()[1]["number"] == "2601.00002"
    assert client.get(f"/collections/{cid}/export/csv").text.startswith("id,title,authors")
    assert "ER  - " in client.get(f"/collections/{cid}/export/ris").text
    assert client.get(f"/collections/{cid}/export/docx").status_code == 400
    post(client, f"/collections/{cid}/items", {"paper_id": "2601.00002", "on": "0"})
    assert len(client.get(f"/api/collections/{cid}").json()["items"]) == 1


def test_import_reports_matches_and_bad_lines(client: TestClient, store: SqliteStore,
                                              settings: Settings) -> None:
    cid = _setup(client, store, settings)
    bib = b"@misc{a, title={Attention is all you need}}\n@misc{b, year=1}\n@misc{c, title={Nope}}\n"
    response = client.post(f"/collections/{cid}/import", data={"csrf_token": csrf(client)},
                           files={"file": ("lib.bib", bib, "application/x-bibtex")})
    assert response.status_code == 200
    text = re.sub(r"\s+", " ", response.text)
    assert "Imported 3 entries: 1 matched (1 new here), 1 not in the catalog, 1 bad." in text
    assert "line 2: entry has no title, DOI or arXiv id" in text
    ids = [i["paper"]["id"] for i in client.get(f"/api/collections/{cid}").json()["items"]]
    assert ids == ["2601.00001", "2601.00002"]


def test_private_collections_stay_private(client: TestClient, store: SqliteStore,
                                          settings: Settings) -> None:
    cid = _setup(client, store, settings)
    other = new_client(client)
    sign_up(other, "bob")
    anonymous = new_client(client)
    for browser in (other, anonymous):
        assert browser.get(f"/collections/{cid}").status_code == 404
        assert browser.get(f"/api/collections/{cid}").status_code == 404
        assert browser.get(f"/collections/{cid}/export/bibtex").status_code == 404
    assert other.get("/api/collections").json() == []
    assert "Thesis" not in other.get("/papers/2601.00001").text
    assert post(other, f"/collections/{cid}/items", {"paper_id": "2601.00002"}).status_code == 404
    assert post(other, f"/collections/{cid}/delete", {}).status_code == 404
    assert anonymous.get("/api/collections").status_code == 401
    post(client, f"/collections/{cid}/settings", {"name": "Thesis", "public": "1"})
    public = anonymous.get(f"/collections/{cid}").text
    assert "Public collection by" in public and "Secret reading" in public
    assert "Save note" not in public and "Delete this collection" not in public
    assert "Secret reading" in anonymous.get(f"/collections/{cid}/export/ris").text


def test_every_personal_form_carries_the_browsers_csrf_token(
        client: TestClient, store: SqliteStore, settings: Settings) -> None:
    cid = _setup(client, store, settings)
    expected = csrf(client, "/collections")
    for path in ("/papers/2601.00001", "/following", "/collections", f"/collections/{cid}",
                 "/search?q=reading&mode=keyword"):
        page = client.get(path).text
        tokens = re.findall(r'name="csrf_token" value="([^"]*)"', page)
        assert tokens and set(tokens) == {expected}, path
    form = re.search(r'<form class="inline" method="post" action="/papers/2601.00001/'
                     r'not-interested"><input type="hidden" name="csrf_token" value="([^"]+)"',
                     client.get("/papers/2601.00001").text)
    assert form is not None
    response = client.post("/papers/2601.00001/not-interested",
                           data={"csrf_token": form.group(1)}, follow_redirects=False)
    assert response.status_code == 303


def test_an_id_no_row_can_have_is_refused_by_name(client: TestClient) -> None:
    answer = client.get("/api/collections/57464313799196786688")
    assert answer.status_code == 422 and answer.json()["parameter"] == "collection_id"
    page = client.get("/collections/0")
    assert page.status_code == 422 and "collection_id" in page.text

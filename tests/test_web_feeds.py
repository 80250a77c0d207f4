"""Feed channel titles and descriptions carry user text (a search, an organization's name)
escaped the same way as item titles."""

from __future__ import annotations

from xml.etree import ElementTree

from fastapi.testclient import TestClient

from paperwire.models import IncomingPaper, Organization, Paper
from paperwire.storage.sqlite import SqliteStore

PAYLOAD = '<img src=x onerror="alert(1)"><b>bold</b>'
ATOM = "{http://www.w3.org/2005/Atom}"


def channel_texts(body: bytes) -> list[str]:
    channel = ElementTree.fromstring(body).find("channel")
    assert channel is not None
    return [channel.findtext("title") or "", channel.findtext("description") or ""]


def test_rss_channel_of_a_search_escapes_the_query(client: TestClient) -> None:
    answer = client.get("/search.rss", params={"q": PAYLOAD})
    assert answer.status_code == 200
    for text in channel_texts(answer.content):  # readers treat these as HTML
        assert "<" not in text and "&lt;img" in text and "&lt;b&gt;bold" in text


def test_rss_and_atom_channels_of_an_organization(client: TestClient,
                                                  store: SqliteStore) -> None:
    store.upsert_organization(Organization("evil", PAYLOAD))
    store.upsert_papers([IncomingPaper(Paper(id="2501.00001", title="T"))])
    store.attach_paper_organization("2501.00001", "evil")
    rss = client.get("/organizations/evil.rss")
    for text in channel_texts(rss.content):
        assert "<" not in text and "&lt;img src=x" in text
    atom = ElementTree.fromstring(client.get("/organizations/evil.atom").content)
    title = atom.find(f"{ATOM}title")
    assert title is not None and title.get("type", "text") == "text"  # Atom text is text
    assert PAYLOAD in (title.text or "")

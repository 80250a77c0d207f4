"""Collections over real SQLite: ownership, notes, order, export, import matching."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from paperwire.config import Settings
from paperwire.errors import Conflict, InvalidInput, NotFound
from paperwire.services import collections
from paperwire.storage.sqlite import SqliteStore
from tests.personal_helpers import put_paper

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _users(store: SqliteStore):  # type: ignore[no-untyped-def]
    ada = store.create_user("ada", "ada@example.org", "x", NOW)
    bob = store.create_user("bob", "bob@example.org", "x", NOW)
    assert ada is not None and bob is not None
    return ada, bob


def test_collections_are_private_until_made_public(store: SqliteStore,
                                                   settings: Settings) -> None:
    put_paper(store, settings, "2601.00001", "First")
    put_paper(store, settings, "2601.00002", "Second")
    ada, bob = _users(store)
    reading = collections.create(store, ada, "  To  read ")
    assert reading.name == "To read" and not reading.is_public
    with pytest.raises(Conflict, match="already have a collection named 'to READ'"):
        collections.create(store, ada, "to READ")
    collections.save(store, ada, reading.id, "2601.00002v3", "skim §2")
    collections.save(store, ada, reading.id, "2601.00001")
    collections.save(store, ada, reading.id, "2601.00002")  # again: stays where it was
    shown = collections.view(store, ada, reading.id)
    assert [(i.paper.id, i.note) for i in shown.items] == [("2601.00002", "skim §2"),
                                                          ("2601.00001", "")]
    for viewer in (bob, None):
        with pytest.raises(NotFound):
            collections.view(store, viewer, reading.id)
    with pytest.raises(NotFound):
        collections.save(store, bob, reading.id, "2601.00001")
    collections.update(store, ada, reading.id, "To read", public=True)
    assert len(collections.view(store, None, reading.id).items) == 2
    with pytest.raises(NotFound):
        collections.set_note(store, bob, reading.id, "2601.00001", "mine now")
    with pytest.raises(NotFound, match="not in the catalog"):
        collections.save(store, ada, reading.id, "2601.09999")
    collections.delete(store, ada, reading.id)
    assert collections.mine(store, ada) == []


def test_export_formats(store: SqliteStore, settings: Settings) -> None:
    put_paper(store, settings, "2601.00001", "On {braces} & 100% $x^2$")
    ada, _ = _users(store)
    reading = collections.create(store, ada, "Export me")
    collections.save(store, ada, reading.id, "2601.00001", "a note")
    text, media, name = collections.export(store, ada, reading.id, "bibtex")
    assert "eprint = {2601.00001}" in text and "note = {a note}" in text
    assert media == "application/x-bibtex" and name == f"collection-{reading.id}.bib"
    assert "TI  - On {braces}" in collections.export(store, ada, reading.id, "ris")[0]
    with pytest.raises(InvalidInput, match="format 'doc' is not one of"):
        collections.export(store, ada, reading.id, "doc")


def test_import_matches_by_arxiv_id_and_title_and_reports_bad_lines(
        store: SqliteStore, settings: Settings) -> None:
    put_paper(store, settings, "2601.00001", "Attention Is All You Need")
    put_paper(store, settings, "2601.00002", "Deep Résidual Learning")
    ada, _ = _users(store)
    lib = collections.create(store, ada, "Library")
    bib = ("@article{a, title={Attention is all you need}}\n"
           "@misc{b, title={Unknown paper}}\n"
           "@misc{c, eprint={2601.00002v1}}\n"
           "@misc{d, title={deep résidual learning}}\n"
           "@misc{e, year=2020}\n")
    summary = collections.import_into(store, ada, lib.id, bib.encode(), "lib.bib")
    assert (summary.read, summary.matched, summary.added) == (5, 3, 2)
    assert [e.title for e in summary.unmatched] == ["Unknown paper"]
    assert [str(e) for e in summary.errors] == ["line 5: entry has no title, DOI or arXiv id"]
    assert [i.paper.id for i in collections.view(store, ada, lib.id).items] == [
        "2601.00001", "2601.00002"]
    with pytest.raises(InvalidInput, match="not UTF-8 text \\(line 2\\)"):
        collections.import_into(store, ada, lib.id, b"2601.00001\n\xff\xfe", "ids.txt")

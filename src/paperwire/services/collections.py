"""Collections: named reading lists with a note per paper, private unless made public;
export as BibTeX, RIS, CSL-JSON or CSV; import a bibliography matched to the catalog by
arXiv id, DOI (arXiv DOIs) or normalized title."""

from __future__ import annotations

from dataclasses import dataclass, field

from paperwire.bibliography import FORMATS, RENDERERS, Entry
from paperwire.bibliography_import import PARSERS, ImportedEntry, detect_format
from paperwire.clock import now_utc
from paperwire.errors import Conflict, InvalidInput, NotFound
from paperwire.ids import title_key
from paperwire.models import RecordError
from paperwire.models_community import User
from paperwire.models_personal import Collection, CollectionItem
from paperwire.services.catalog import find_paper
from paperwire.storage import Store

MAX_NAME = 100
MAX_NOTE = 2000
MAX_IMPORT_BYTES = 5_000_000
EXPORT_FORMATS = tuple(FORMATS)


@dataclass(frozen=True)
class CollectionView:
    collection: Collection
    items: tuple[CollectionItem, ...]
    mine: bool


@dataclass
class ImportSummary:
    """What an import did: papers matched (and newly added), entries left unmatched, bad lines."""

    read: int = 0
    matched: int = 0
    added: int = 0
    unmatched: list[ImportedEntry] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)


def _name(raw: str) -> tuple[str, str]:
    name = " ".join(raw.split())
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(f"name must be 1 to {MAX_NAME} characters", field="name")
    return name, name.casefold()


def create(store: Store, user: User, raw_name: str, public: bool = False) -> Collection:
    name, key = _name(raw_name)
    new_id = store.create_collection(user.id, name, key, public, now_utc())
    if new_id is None:
        raise Conflict(f"you already have a collection named {name!r}")
    return own(store, user, new_id)


def own(store: Store, user: User, collection_id: int) -> Collection:
    """The user's own collection; NotFound for anyone else's (never says it exists)."""
    found = store.get_collection(collection_id)
    if found is None or found.owner_id != user.id:
        raise NotFound(f"collection {collection_id} does not exist")
    return found


def view(store: Store, viewer: User | None, collection_id: int) -> CollectionView:
    """A collection as ``viewer`` may see it: the owner always, others only when public."""
    found = store.get_collection(collection_id)
    mine = found is not None and viewer is not None and found.owner_id == viewer.id
    if found is None or not (mine or found.is_public):
        raise NotFound(f"collection {collection_id} does not exist")
    return CollectionView(found, tuple(store.list_collection_items(collection_id)), mine)


def mine(store: Store, user: User | None) -> list[Collection]:
    return [] if user is None else store.list_collections(user.id)


def update(store: Store, user: User, collection_id: int, raw_name: str, public: bool) -> None:
    own(store, user, collection_id)
    name, key = _name(raw_name)
    if not store.update_collection(collection_id, name, key, public):
        raise Conflict(f"you already have a collection named {name!r}")


def delete(store: Store, user: User, collection_id: int) -> None:
    own(store, user, collection_id)
    store.delete_collection(collection_id)


def save(store: Store, user: User, collection_id: int, paper_id: str, note: str = "") -> str:
    """Put a paper in the collection (again: nothing changes); returns the catalog id."""
    own(store, user, collection_id)
    target = _paper_id(store, paper_id)
    store.add_collection_items(collection_id, [target], _note(note), now_utc())
    return target


def remove(store: Store, user: User, collection_id: int, paper_id: str) -> None:
    own(store, user, collection_id)
    store.remove_collection_item(collection_id, paper_id)


def set_note(store: Store, user: User, collection_id: int, paper_id: str, note: str) -> None:
    own(store, user, collection_id)
    if not store.set_collection_note(collection_id, paper_id, _note(note)):
        raise NotFound(f"paper {paper_id[:80]!r} is not in this collection")


def _note(note: str) -> str:
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"note is longer than {MAX_NOTE} characters", field="note")
    return note.strip()


def _paper_id(store: Store, paper_id: str) -> str:
    found = find_paper(store, paper_id)
    return found.redirect_to or (found.paper.id if found.paper else paper_id)


def export(store: Store, viewer: User | None, collection_id: int,
           fmt: str) -> tuple[str, str, str]:
    """(text, media type, file name) of a collection in ``fmt``."""
    if fmt not in RENDERERS:
        raise InvalidInput(f"format {fmt[:20]!r} is not one of {', '.join(RENDERERS)}",
                           field="format")
    shown = view(store, viewer, collection_id)
    text = RENDERERS[fmt]([Entry(i.paper, i.note) for i in shown.items])
    ext, media = FORMATS[fmt]
    return text, media, f"collection-{collection_id}.{ext}"


def import_into(store: Store, user: User, collection_id: int, data: bytes,
                filename: str = "", fmt: str = "") -> ImportSummary:
    """Read a bibliography and save every entry found in the catalog to the collection."""
    own(store, user, collection_id)
    text = _decode(data)
    fmt = fmt or detect_format(text, filename)
    if fmt not in PARSERS:
        raise InvalidInput(f"format {fmt[:20]!r} is not one of {', '.join(PARSERS)}",
                           field="format")
    entries, errors = PARSERS[fmt](text)
    summary = ImportSummary(read=len(entries) + len(errors), errors=errors)
    found: list[str] = []
    for entry in entries:
        paper_id = match_entry(store, entry)
        if paper_id is None:
            summary.unmatched.append(entry)
        else:
            found.append(paper_id)
    summary.matched = len(found)
    summary.added = store.add_collection_items(collection_id, list(dict.fromkeys(found)), "",
                                               now_utc())
    return summary


def _decode(data: bytes) -> str:
    if len(data) > MAX_IMPORT_BYTES:
        raise InvalidInput(f"the file is larger than {MAX_IMPORT_BYTES // 1_000_000} MB",
                           field="file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InvalidInput(f"the file is not UTF-8 text (line {line})", field="file") from exc


def match_entry(store: Store, entry: ImportedEntry) -> str | None:
    """The catalog id of an imported reference: by arXiv id, then by normalized title."""
    if entry.arxiv_id:
        if store.get_paper(entry.arxiv_id) is not None:
            return entry.arxiv_id
        alias = store.resolve_alias(entry.arxiv_id)
        if alias is not None:
            return alias
    if entry.title:
        ids = store.find_ids_by_title(title_key(entry.title))
        if ids:
            return ids[0]
    return None

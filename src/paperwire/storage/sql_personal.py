"""The personal part of the store: follows, mutes, dismissals, collections, trained models."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from paperwire.ids import title_hash
from paperwire.models import Paper
from paperwire.models_personal import Collection, CollectionItem, Follow, KeptModel, Mute
from paperwire.storage.facets import FACET_TABLES, fold_key
from paperwire.storage.rows import row_to_paper, text_to_when, ts
from paperwire.storage.sql_base import Row, SqlBase
from paperwire.storage.sql_catalog import PAPER_SELECT

TABLES = ("follows", "mutes")
NEWEST_ORDER = " ORDER BY p.published_at IS NULL, p.published_at DESC, p.id"
NEWEST = NEWEST_ORDER + " LIMIT ?"
ORGANIZATION_WHERE = (" WHERE p.id IN (SELECT paper_id FROM paper_organizations"
                      " WHERE organization = ?)")
COLLECTION_SELECT = (
    "SELECT c.*, u.username, (SELECT COUNT(*) FROM collection_items i"
    " WHERE i.collection_id = c.id) AS size FROM collections c JOIN users u ON u.id = c.user_id")



def _row_to_collection(row: Row) -> Collection:
    return Collection(row["id"], row["user_id"], row["username"], row["name"],
                      bool(row["is_public"]), text_to_when(row["created_at"]), row["size"])


def _facet_ids(kind: str) -> str:
    """The ids of the newest papers under one key of a follow lookup table (storage/facets.py):
    a range of its primary key, in the order of ``NEWEST``."""
    table, column = FACET_TABLES[kind]
    return f"SELECT paper_id FROM {table} WHERE {column} = ? ORDER BY newest, paper_id LIMIT ?"


def _table(name: str) -> str:
    if name not in TABLES:
        raise ValueError(f"unknown interest table {name!r}")
    return name


class SqlPersonal(SqlBase):
    # -- follows and mutes -----------------------------------------------------------
    def add_interest(self, table: str, user_id: int, kind: str, value: str, key: str,
                     now: datetime) -> bool:
        with self.transaction() as conn:
            cur = conn.execute(
                f"INSERT INTO {_table(table)} (user_id, kind, value, value_key, created_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (user_id, kind, value, key, ts(now)))
            return bool(cur.rowcount)

    def remove_interest(self, table: str, user_id: int, kind: str, key: str) -> bool:
        with self.transaction() as conn:
            cur = conn.execute(f"DELETE FROM {_table(table)} WHERE user_id = ? AND kind = ?"
                               " AND value_key = ?", (user_id, kind, key))
            return bool(cur.rowcount)

    def _interests(self, table: str, user_id: int) -> list[Row]:
        return self.query(f"SELECT * FROM {_table(table)} WHERE user_id = ?"
                          " ORDER BY kind, value_key", (user_id,))

    def list_follows(self, user_id: int) -> list[Follow]:
        return [Follow(r["id"], r["kind"], r["value"], text_to_when(r["created_at"]))
                for r in self._interests("follows", user_id)]

    def list_mutes(self, user_id: int) -> list[Mute]:
        return [Mute(r["id"], r["kind"], r["value"], text_to_when(r["created_at"]))
                for r in self._interests("mutes", user_id)]

    def papers_followed(self, kind: str, value: str, limit: int) -> list[Paper]:
        if kind in FACET_TABLES:
            sql = PAPER_SELECT + f" WHERE p.id IN ({_facet_ids(kind)})" + NEWEST_ORDER
            return [row_to_paper(r) for r in self.query(sql, (fold_key(value), limit))]
        if kind != "organization":
            return []
        return [row_to_paper(r) for r in self.query(PAPER_SELECT + ORGANIZATION_WHERE + NEWEST,
                                                    (value, limit))]

    def paper_ids_followed(self, kind: str, value: str, limit: int) -> list[str]:
        """The ids of ``papers_followed`` (same papers, same order), without the rows."""
        if kind in FACET_TABLES:
            rows = self.query(_facet_ids(kind), (fold_key(value), limit))
        elif kind == "organization":
            rows = self.query("SELECT p.id FROM papers p" + ORGANIZATION_WHERE + NEWEST,
                              (value, limit))
        else:
            return []
        return [r[0] for r in rows]

    # -- "not interested" ------------------------------------------------------------
    def set_dismissal(self, user_id: int, paper_id: str, on: bool, now: datetime) -> None:
        with self.transaction() as conn:
            if on:
                conn.execute("INSERT INTO dismissals (user_id, paper_id, created_at)"
                             " VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                             (user_id, paper_id, ts(now)))
            else:
                conn.execute("DELETE FROM dismissals WHERE user_id = ? AND paper_id = ?",
                             (user_id, paper_id))

    def dismissed_ids(self, user_id: int) -> list[str]:
        rows = self.query("SELECT paper_id FROM dismissals WHERE user_id = ?"
                          " ORDER BY created_at DESC", (user_id,))
        return [r[0] for r in rows]

    # -- candidates and matching -----------------------------------------------------
    def recent_paper_ids(self, since: datetime | None, limit: int) -> list[str]:
        if since is None:
            rows = self.query("SELECT id FROM papers WHERE withdrawn_at IS NULL"
                              " ORDER BY published_at DESC LIMIT ?", (limit,))
        else:
            rows = self.query("SELECT id FROM papers WHERE withdrawn_at IS NULL AND"
                              " published_at >= ? ORDER BY published_at DESC LIMIT ?",
                              (ts(since), limit))
        return [r[0] for r in rows]

    def newest_published_at(self) -> datetime | None:
        value = self.scalar("SELECT MAX(published_at) FROM papers WHERE withdrawn_at IS NULL")
        return None if value is None else text_to_when(value)

    def find_ids_by_title(self, key: str) -> list[str]:
        rows = self.query("SELECT id FROM papers WHERE title_hash = ? AND title_key = ?"
                          " ORDER BY id_is_derived, id", (title_hash(key), key))
        return [r[0] for r in rows]

    def main_embedding_model(self) -> str | None:
        value = self.scalar("SELECT model FROM paper_embeddings GROUP BY model"
                            " ORDER BY COUNT(*) DESC, model LIMIT 1")
        return None if value is None else str(value)

    # -- collections -----------------------------------------------------------------
    def create_collection(self, user_id: int, name: str, key: str, public: bool,
                          now: datetime) -> int | None:
        with self.transaction() as conn:
            row = conn.execute(
                "INSERT INTO collections (user_id, name, name_key, is_public, created_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                (user_id, name, key, int(public), ts(now))).fetchone()
            return None if row is None else int(row[0])

    def get_collection(self, collection_id: int) -> Collection | None:
        row = self.query_one(COLLECTION_SELECT + " WHERE c.id = ?", (collection_id,))
        return None if row is None else _row_to_collection(row)

    def list_collections(self, user_id: int) -> list[Collection]:
        rows = self.query(COLLECTION_SELECT + " WHERE c.user_id = ? ORDER BY c.name_key",
                          (user_id,))
        return [_row_to_collection(r) for r in rows]

    def update_collection(self, collection_id: int, name: str, key: str, public: bool) -> bool:
        with self.transaction() as conn:
            return self.execute_unless_conflict(
                conn, "UPDATE collections SET name = ?, name_key = ?, is_public = ? WHERE id = ?",
                (name, key, int(public), collection_id))

    def delete_collection(self, collection_id: int) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM collections WHERE id = ?", (collection_id,))

    def add_collection_items(self, collection_id: int, paper_ids: Sequence[str], note: str,
                             now: datetime) -> int:
        added = 0
        with self.transaction() as conn:
            self.serialize(conn, f"collection:{collection_id}")
            last = conn.execute("SELECT COALESCE(MAX(position), 0) FROM collection_items"
                                " WHERE collection_id = ?", (collection_id,)).fetchone()[0]
            for paper_id in paper_ids:
                cur = conn.execute(
                    "INSERT INTO collection_items (collection_id, paper_id, note, position,"
                    " added_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (collection_id, paper_id, note, last + added + 1, ts(now)))
                added += cur.rowcount
        return added

    def remove_collection_item(self, collection_id: int, paper_id: str) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM collection_items WHERE collection_id = ? AND paper_id = ?",
                         (collection_id, paper_id))

    def set_collection_note(self, collection_id: int, paper_id: str, note: str) -> bool:
        with self.transaction() as conn:
            cur = conn.execute("UPDATE collection_items SET note = ? WHERE collection_id = ?"
                               " AND paper_id = ?", (note, collection_id, paper_id))
            return bool(cur.rowcount)

    def list_collection_items(self, collection_id: int) -> list[CollectionItem]:
        sql = PAPER_SELECT.replace(
            "SELECT p.*,", "SELECT p.*, i.note AS i_note, i.position AS i_position,"
            " i.added_at AS i_added_at,").replace(
            "FROM papers p", "FROM collection_items i JOIN papers p ON p.id = i.paper_id")
        rows = self.query(sql + " WHERE i.collection_id = ? ORDER BY i.position",
                          (collection_id,))
        return [CollectionItem(row_to_paper(r), r["i_note"], r["i_position"],
                               text_to_when(r["i_added_at"])) for r in rows]

    def saved_ids(self, user_id: int) -> list[str]:
        rows = self.query("SELECT DISTINCT i.paper_id FROM collection_items i JOIN collections c"
                          " ON c.id = i.collection_id WHERE c.user_id = ?", (user_id,))
        return [r[0] for r in rows]

    # -- trained models --------------------------------------------------------------
    def save_user_model(self, model: KeptModel) -> None:
        requested = None if model.requested_at is None else ts(model.requested_at)
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO user_models (user_id, version, trained_at, requested_at, data)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
                " version = excluded.version, trained_at = excluded.trained_at,"
                " requested_at = COALESCE(excluded.requested_at, user_models.requested_at),"
                " data = excluded.data",
                (model.user_id, model.version, ts(model.trained_at), requested, model.data))

    def get_user_model(self, user_id: int) -> KeptModel | None:
        row = self.query_one("SELECT * FROM user_models WHERE user_id = ?", (user_id,))
        if row is None:
            return None
        requested = row["requested_at"]
        return KeptModel(int(row["user_id"]), row["version"], text_to_when(row["trained_at"]),
                         bytes(row["data"]),
                         None if requested is None else text_to_when(requested))

    def requested_model_users(self, since: datetime) -> list[int]:
        rows = self.query("SELECT user_id FROM user_models WHERE requested_at >= ?"
                          " ORDER BY user_id", (ts(since),))
        return [int(r[0]) for r in rows]

"""The search part of the store: stored embeddings and indexing watermarks."""

from __future__ import annotations

from collections.abc import Sequence

from paperwire.models import StoredEmbedding
from paperwire.storage.rows import in_chunks
from paperwire.storage.sql_base import Connection, Row, SqlBase, utc_now


def _row_to_embedding(row: Row) -> StoredEmbedding:
    return StoredEmbedding(row["paper_id"], row["model"], row["text_hash"], int(row["dim"]),
                           bytes(row["vector"]), int(row["seq"]))


class SqlSearch(SqlBase):
    def search_watermark(self, name: str) -> int:
        value = self.scalar("SELECT value FROM search_state WHERE name = ?", (name,))
        return 0 if value is None else int(value)

    def set_search_watermark(self, name: str, value: int) -> None:
        with self.transaction() as conn:
            conn.execute("INSERT INTO search_state (name, value) VALUES (?, ?) ON CONFLICT (name)"
                         " DO UPDATE SET value = excluded.value", (name, value))

    def max_paper_seq(self) -> int:
        return int(self.scalar("SELECT COALESCE(MAX(row_seq), 0) FROM papers"))

    def save_embeddings(self, items: Sequence[StoredEmbedding], catalog_seq: int | None) -> None:
        """Store vectors (each gets a new seq) and move the catalog watermark, atomically."""
        with self.transaction() as conn:
            self.serialize(conn, "embeddings")
            seq = self._seq(conn)
            for item in items:
                seq += 1
                conn.execute(
                    "INSERT INTO paper_embeddings (paper_id, model, text_hash, dim, vector, seq,"
                    " embedded_at) SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS"
                    " (SELECT 1 FROM papers WHERE id = ?) ON CONFLICT (paper_id) DO UPDATE SET"
                    " model = excluded.model, text_hash = excluded.text_hash, dim = excluded.dim,"
                    " vector = excluded.vector, seq = excluded.seq,"
                    " embedded_at = excluded.embedded_at",
                    (item.paper_id, item.model, item.text_hash, item.dim, item.vector, seq,
                     utc_now(), item.paper_id))
            conn.execute("UPDATE search_state SET value = ? WHERE name = 'embedding_seq'", (seq,))
            if catalog_seq is not None:
                conn.execute("UPDATE search_state SET value = ? WHERE name = 'catalog_seq'",
                             (catalog_seq,))

    def _seq(self, conn: Connection) -> int:
        row = conn.execute("SELECT value FROM search_state WHERE name = 'embedding_seq'").fetchone()
        return int(row[0])

    def embedding_hashes(self, paper_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """paper id -> (model, text hash) for the papers that have a stored vector."""
        found: dict[str, tuple[str, str]] = {}
        for chunk, marks in in_chunks(paper_ids):
            for row in self.query("SELECT paper_id, model, text_hash FROM paper_embeddings"
                                  f" WHERE paper_id IN ({marks})", chunk):
                found[row["paper_id"]] = (row["model"], row["text_hash"])
        return found

    def get_embeddings(self, paper_ids: Sequence[str], model: str) -> list[StoredEmbedding]:
        found: list[StoredEmbedding] = []
        for chunk, marks in in_chunks(paper_ids):
            rows = self.query(f"SELECT * FROM paper_embeddings WHERE paper_id IN ({marks})"
                              " AND model = ?", [*chunk, model])
            found.extend(_row_to_embedding(r) for r in rows)
        return found

    def embeddings_since(self, seq: int, model: str, limit: int) -> list[StoredEmbedding]:
        rows = self.query("SELECT * FROM paper_embeddings WHERE seq > ? AND model = ?"
                          " ORDER BY seq LIMIT ?", (seq, model, limit))
        return [_row_to_embedding(r) for r in rows]

    def papers_with_other_model(self, model: str, limit: int) -> list[str]:
        rows = self.query("SELECT paper_id FROM paper_embeddings WHERE model <> ? LIMIT ?",
                          (model, limit))
        return [str(r[0]) for r in rows]

    def reset_search(self) -> None:
        """Forget the catalog watermark (a rebuild re-reads every paper; vectors stay)."""
        with self.transaction() as conn:
            conn.execute("UPDATE search_state SET value = 0 WHERE name = 'catalog_seq'")

    def stats_search(self) -> dict[str, int]:
        return {"embeddings": int(self.scalar("SELECT COUNT(*) FROM paper_embeddings")),
                "search_catalog_seq": self.search_watermark("catalog_seq")}

    def count_papers_since(self, row_seq: int) -> int:
        return int(self.scalar("SELECT COUNT(*) FROM papers WHERE row_seq > ?", (row_seq,)))

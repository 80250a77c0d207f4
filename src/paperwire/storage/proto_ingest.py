"""What the ingest capability needs from storage: checkpoints, the request gate, bulk inserts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from paperwire.ids import title_hash, title_key
from paperwire.models import IncomingPaper, Paper
from paperwire.storage.rows import dt_to_text, dump_json, paper_columns

# A paper made ready for the bulk path (pure, picklable: it can be built in another process):
# (id, normalized title, stored columns in PAPER_COLUMNS order, plain). A record that is not
# plain (derived id, daily entry or organization attached) always goes through upsert_papers.
PreparedPaper = tuple[str, str, tuple[Any, ...], bool]


def prepare_paper(item: IncomingPaper) -> PreparedPaper:
    """The row ``paper_columns`` gives, built faster for bulk work (tests hold them equal)."""
    paper = item.paper
    key = title_key(paper.title)
    authors = dump_json([{"name": a.name, "hidden": a.hidden, "user": a.user}
                         for a in paper.authors])
    cols = (paper.id, paper.version, paper.title, key, paper.summary, authors,
            max(paper.author_count, len(paper.authors)), " ".join(paper.categories),
            _when(paper.published_at), _when(paper.updated_at), paper.pdf_url,
            paper.github_repo, paper.github_stars, paper.project_page,
            dump_json(list(paper.ai_keywords)) if paper.ai_keywords
            else "[]", paper.imported_upvotes, _when(paper.withdrawn_at), paper.source, title_hash(key))
    plain = not (item.id_is_derived or item.daily or item.organization)
    return paper.id, key, cols, plain


def _when(value: datetime | None) -> str | None:
    return dt_to_text(value)


def paper_column_names() -> tuple[str, ...]:
    """The column names of a prepared row, in order."""
    return tuple(paper_columns(Paper("x", "x"), "x"))


@dataclass(frozen=True)
class GateTry:
    """The outcome of one try to take a request slot.

    ``acquired``: the caller may send its request now. Otherwise ``wait_s`` says how long to
    wait before trying again, and ``holder`` names the process holding the slot, if any.
    """

    acquired: bool
    wait_s: float = 0.0
    holder: str | None = None


class IngestStore(Protocol):
    def get_checkpoint(self, name: str) -> dict[str, Any] | None: ...

    def put_checkpoint(self, name: str, state: dict[str, Any]) -> None: ...

    def delete_checkpoint(self, name: str) -> None: ...

    def try_gate(self, name: str, holder: str, now: float, lease_s: float) -> GateTry: ...

    def release_gate(self, name: str, holder: str, next_at: float) -> None: ...

    def break_gate(self, name: str, holder: str) -> bool: ...

    def insert_new_papers(self, incoming: Sequence[IncomingPaper]) -> list[IncomingPaper]: ...

    def insert_new_rows(self, rows: Sequence[PreparedPaper]) -> list[int]: ...

    def stats_ingest(self) -> dict[str, int]: ...

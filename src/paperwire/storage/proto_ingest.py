"""What the ingest capability needs from storage: checkpoints, the request gate, bulk inserts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from paperwire.models import IncomingPaper
from paperwire.paper_row import PreparedPaper


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

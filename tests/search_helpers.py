"""Small helpers for the search tests."""

from __future__ import annotations

from pathlib import Path

from paperwire.models import Paper


def search_env(folder: Path) -> dict[str, str]:
    """Environment for a data dir in ``folder`` (no background index refresher)."""
    return {"PAPERWIRE_DATA_DIR": str(folder),
            "PAPERWIRE_SECRET_KEY": "test-secret-key-0123456789-abcdefghijkl",
            "PAPERWIRE_BASE_URL": "http://testserver", "PAPERWIRE_SEARCH_REFRESH": "0"}


PAPERS = [
    Paper("2401.00001", "Sparse attention for long documents",
          "We make transformer attention sparse so that documents of a million tokens fit."),
    Paper("2401.00002", "Protein folding with diffusion models",
          "A diffusion model predicts protein structures from sequences."),
    Paper("2401.00003", "Reinforcement learning from human feedback at scale",
          "Reward models trained on preferences align chat assistants."),
]
LATE = Paper("2401.00009", "Quantum error correction with surface codes",
             "Logical qubits survive longer when surface codes correct errors in real time.")

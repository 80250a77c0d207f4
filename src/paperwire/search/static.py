"""A static embedder: the shipped MiniLM distilled into a token table (``search/distill.py``).

A text's vector is the normalized sum of its WordPiece tokens' rows: no attention, no
padding, no batches to shape, so it runs thousands of texts a second on one core, with a
lower semantic quality than the full model (figures in docs/search.md). The table ships as
package data (int8 rows, one scale a row) and both files are checked by SHA-256 at load.
Query and document vectors come from the same table; the model key names the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from paperwire.search.distill import TABLE, table_paths
from paperwire.search.embedder import (
    MODEL_NAME,
    TOKENIZER_SHA256,
    Vectors,
    verify_sha256,
)

ROWS_SHA256 = "e60beb80d7564fdf1b70e860a31da59bddb504269d967f00aa512fb99cd10e3c"
SCALE_SHA256 = "cf566cc3d95af39d9ba0834b3dd9c4966935b6c8e5e91db3b21254d3f8b5fb3b"
MAX_TOKENS = 512


class StaticEmbedder:
    """Sum-pooled token vectors from a distilled table; unit float32 vectors."""

    def __init__(self, folder: Path, tokenizer: Path) -> None:
        from tokenizers import Tokenizer

        rows_path, scale_path = table_paths(folder)
        verify_sha256(rows_path, ROWS_SHA256)
        verify_sha256(scale_path, SCALE_SHA256)
        verify_sha256(tokenizer, TOKENIZER_SHA256)
        rows = np.load(rows_path, allow_pickle=False)
        scale = np.load(scale_path, allow_pickle=False)
        self.table = np.asarray(rows, dtype=np.float32) * scale[:, None]
        self.tokenizer = Tokenizer.from_file(str(tokenizer))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.name = f"static-{MODEL_NAME}"
        self.version = f"{TABLE}+{ROWS_SHA256[:12]}"
        self.dim = int(self.table.shape[1])

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encoded = self.tokenizer.encode_batch(list(texts), add_special_tokens=False)
        for row, item in enumerate(encoded):
            if item.ids:  # one gather a text: batching never changes a text's vector
                out[row] = self.table[item.ids].sum(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.asarray(out / np.maximum(norms, 1e-12), dtype=np.float32)

    def embed_query(self, text: str) -> Vectors:
        vector: Vectors = self.embed([text])[0]
        return vector


def load_static() -> StaticEmbedder:
    """The table and tokenizer shipped in ``paperwire/search/model``, verified."""
    with resources.as_file(resources.files("paperwire.search") / "model") as folder:
        return StaticEmbedder(Path(folder), Path(folder) / "tokenizer.json")

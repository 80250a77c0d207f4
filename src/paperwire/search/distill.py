"""Distil the shipped sentence encoder into a static token table (no attention at run time).

Every WordPiece token of the vocabulary goes through the encoder once, alone between
``[CLS]`` and ``[SEP]``; its output vector at the token's position is the token's vector.
The vectors are centred and turned onto their principal axes, the first ``DIMS`` axes are
kept, and each row is weighted by ``ln(1 + r)²`` (``r`` the token's rank in the vocabulary
after the special and unused ids: WordPiece vocabularies list frequent words first, so
frequent words weigh less when a text's tokens are pooled). Rows are stored as int8 with one
float32 scale each. The result is deterministic for a given model file:

    python -m paperwire.search.distill src/paperwire/search/model
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt

from paperwire.search.embedder import ModelFiles, package_files

DIMS = 256
TABLE = "static-minilm-256"
FIRST_WORD = 999  # ids below are [PAD], [unused*], [UNK], [CLS], [SEP], [MASK]
CLS, SEP = 101, 102
BATCH = 2048


def build_token_vectors(files: ModelFiles, vocab_size: int, threads: int = 2
                        ) -> npt.NDArray[np.float32]:
    """The encoder's output for each token id, alone in a three-token sequence."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    session = ort.InferenceSession(str(files.model), options, providers=["CPUExecutionProvider"])
    inputs = {i.name for i in session.get_inputs()}
    out = np.zeros((vocab_size, 0), dtype=np.float32)
    for start in range(0, vocab_size, BATCH):
        ids = np.arange(start, min(vocab_size, start + BATCH), dtype=np.int64)
        seq = np.stack([np.full_like(ids, CLS), ids, np.full_like(ids, SEP)], axis=1)
        feeds = {"input_ids": seq, "attention_mask": np.ones_like(seq),
                 "token_type_ids": np.zeros_like(seq)}
        hidden = session.run(None, {k: v for k, v in feeds.items() if k in inputs})[0]
        if out.shape[1] == 0:
            out = np.zeros((vocab_size, hidden.shape[2]), dtype=np.float32)
        out[ids] = hidden[:, 1]
    return out


def build_table(vectors: npt.NDArray[np.float32], dims: int = DIMS
                ) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.float32]]:
    """Principal axes, rank weights and int8 rows (with one scale a row)."""
    words = vectors[FIRST_WORD:].astype(np.float64)
    mean = words.mean(axis=0)
    _u, _s, axes = np.linalg.svd(words - mean, full_matrices=False)
    axes *= np.sign(axes[:, :1]) + (axes[:, :1] == 0)  # fix each axis's sign: deterministic
    projected = (vectors.astype(np.float64) - mean) @ axes[:dims].T
    rank = np.maximum(np.arange(len(vectors)) - FIRST_WORD + 1, 1)
    weighted = projected * (np.log1p(rank) ** 2)[:, None]
    scale = np.maximum(np.abs(weighted).max(axis=1), 1e-12) / 127.0
    rows = np.clip(np.rint(weighted / scale[:, None]), -127, 127).astype(np.int8)
    return rows, scale.astype(np.float32)


def vocab_size(tokenizer: Path) -> int:
    from tokenizers import Tokenizer

    return int(Tokenizer.from_file(str(tokenizer)).get_vocab_size(with_added_tokens=True))


def table_paths(folder: Path) -> tuple[Path, Path]:
    """The two ``.npy`` files of the table (np.save output is byte-for-byte reproducible)."""
    return folder / f"{TABLE}.rows.npy", folder / f"{TABLE}.scale.npy"


def main(argv: list[str]) -> None:
    if len(argv) != 1:
        raise SystemExit("usage: python -m paperwire.search.distill OUTPUT_FOLDER")
    files = package_files()
    rows, scale = build_table(build_token_vectors(files, vocab_size(files.tokenizer)))
    rows_path, scale_path = table_paths(Path(argv[0]))
    np.save(rows_path, rows, allow_pickle=False)
    np.save(scale_path, scale, allow_pickle=False)
    print(f"{rows_path}: {rows.shape[0]} tokens x {rows.shape[1]} dims")


if __name__ == "__main__":
    main(sys.argv[1:])

